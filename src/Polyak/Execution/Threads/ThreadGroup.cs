namespace Polyak.Execution;

/// <summary>
/// One compute group on threads: the group's <see cref="GroupStep"/>, its evaluator, and the barrier its leader and
/// member threads meet at twice per step (parameters and batch ready; every slice's gradient ready).
/// </summary>
internal sealed class ThreadGroup
{
    private readonly TrainingContext _ctx;
    private readonly Evaluator _evaluator;
    private readonly Barrier? _barrier;
    private readonly CancellationTokenSource _abort = new();
    private volatile bool _done;

    public ThreadGroup(TrainingContext ctx, int index)
    {
        _ctx = ctx;
        Step = ctx.CreateGroupStep(index);
        _evaluator = ctx.CreateEvaluator();
        _barrier = Step.Size > 1 ? new Barrier(Step.Size) : null;
    }

    /// <summary>The group's step.</summary>
    public GroupStep Step { get; }

    /// <summary>Stops every member of the group (one of them failed).</summary>
    public void Abort()
    {
        _done = true;
        _abort.Cancel();
    }

    /// <summary>The leader's loop: read, sample, compute its own slice, combine, push, then evaluate or checkpoint when due.</summary>
    public void RunLeader()
    {
        var server = _ctx.Server;
        var monitor = _ctx.Monitor;
        var gate = _ctx.StalenessGate;
        while (true)
        {
            // Under ssp:S a group that is S steps ahead of the slowest waits here (for an update, or the run's stop).
            if (monitor.ShouldStop || (gate is not null && !gate.WaitUntilAllowed(Step.Group, () => monitor.ShouldStop)))
            {
                _done = true;
                Meet();
                return;
            }
            Step.Read(server);
            Step.Sample();
            Meet(); // phase A: parameters and batch ready
            Step.Compute(0);
            Meet(); // phase B: every member's gradient ready
            double loss = Step.Combine();
            _ctx.BeforePushHook?.Invoke(Step.Group, Step.Steps);
            if (!monitor.TryReserveUpdate()) continue; // the limit was reached by other groups: drop and stop
            long tau = Step.Push(server);
            gate?.OnApplied(Step.Group);
            long version = Step.ReadVersion + tau + 1;
            _ctx.UpdateHook?.Invoke(Step.Group, Step.ReadVersion, tau);
            Step.Steps++;
            _ctx.AfterUpdate(version, loss, _evaluator);
            _ctx.CheckpointIfDue(version);
        }
    }

    /// <summary>A member's loop: wait for the read, compute its slice, signal.</summary>
    public void RunMember(int member)
    {
        try
        {
            while (true)
            {
                _barrier!.SignalAndWait(_abort.Token); // phase A
                if (_done) return;
                Step.Compute(member);
                _barrier.SignalAndWait(_abort.Token); // phase B
            }
        }
        catch (OperationCanceledException)
        {
            // Another member of the group failed (that member reports it), or the user interrupted this member's slice:
            // release the others from the barrier so the whole group stops.
            Abort();
        }
    }

    private void Meet() => _barrier?.SignalAndWait(_abort.Token);
}
