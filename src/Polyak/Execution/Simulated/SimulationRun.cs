using System.Diagnostics;
using Polyak.Numerics;

namespace Polyak.Execution;

/// <summary>
/// One simulated run: the clock, the event queue (each group's completion time), each group's in-flight
/// <see cref="GroupStep"/> and every random stream. Its whole state between two events is explicit
/// (<see cref="SimulationState"/>): <see cref="GetState"/> and <see cref="SetState"/> resume it bit-identically.
/// </summary>
public sealed class SimulationRun
{
    private readonly TrainingContext _ctx;
    private readonly ClockModel _clock;
    private readonly RandomStream[] _timeStreams;
    private readonly SimulatedGroup[] _groups;
    private readonly PriorityQueue<int, (double Time, int Group)> _events;
    private readonly int[] _pending;
    private int _pendingCount;
    private readonly int[] _taskGroup;
    private readonly int[] _taskMember;
    private readonly Action<int> _computeTask;
    private readonly int _parallelism;
    private readonly Evaluator _evaluator;
    private double _now;
    private long _gradients;
    private long _batches;

    internal SimulationRun(TrainingContext context, int maxParallelism)
    {
        _ctx = context;
        var plan = context.Plan;
        _clock = new ClockModel(plan.Config.Simulation, plan.Workers, plan.Groups, plan.Batch);
        _timeStreams = new RandomStream[plan.Workers];
        for (int w = 0; w < plan.Workers; w++) _timeStreams[w] = RandomStream.Derive(plan.Seed, 0x51AC, (ulong)w);
        _groups = new SimulatedGroup[plan.Groups];
        for (int g = 0; g < plan.Groups; g++) _groups[g] = new SimulatedGroup(context.CreateGroupStep(g));
        _events = new PriorityQueue<int, (double, int)>(plan.Groups, EventOrder.Instance);
        _pending = new int[plan.Groups];
        _taskGroup = new int[plan.Workers];
        _taskMember = new int[plan.Workers];
        _computeTask = ComputeTask;
        _parallelism = Math.Max(1, Math.Min(maxParallelism, plan.Workers));
        _evaluator = context.CreateEvaluator(); // the event loop evaluates on its one thread
    }

    /// <summary>The simulated clock in seconds.</summary>
    public double Now => Volatile.Read(ref _now);

    /// <summary>The hardware model of the run.</summary>
    public ClockModel Clock => _clock;

    /// <summary>Gradient evaluations performed (member slices).</summary>
    public long GradientEvaluations => _gradients;

    /// <summary>Number of parallel batches of gradient evaluations.</summary>
    public long ParallelBatches => _batches;

    internal void Execute(bool startCycles)
    {
        var monitor = _ctx.Monitor;
        var server = _ctx.Server;
        monitor.SimulatedClock = () => Now;
        double? limit = monitor.TimeLimitSeconds;
        long startTicks = Stopwatch.GetTimestamp();
        using var pool = new WorkPool(_parallelism - 1);
        if (startCycles)
            for (int g = 0; g < _groups.Length; g++) StartOrWait(g);
        while (_events.TryPeek(out int group, out var when))
        {
            if (limit is double l && when.Time >= l)
            {
                Volatile.Write(ref _now, l);
                monitor.RequestStop(RunStatus.Completed, $"reached the time limit ({l} s simulated)");
                break;
            }
            if (monitor.ShouldStop) break; // the clock stays at the last applied update
            var slot = _groups[group];
            var step = slot.Step;
            // The gradients come before the clock moves and the event is taken: an interruption inside a long step leaves
            // the simulation at its last consistent point (every read in flight, none computed), which a checkpoint resumes.
            if (!slot.Ready && !TryComputePending(pool)) break;
            Volatile.Write(ref _now, when.Time);
            _events.Dequeue();
            double loss = step.Combine();
            _ctx.BeforePushHook?.Invoke(group, step.Steps);
            if (!monitor.TryReserveUpdate()) break;
            long tau = step.Push(server);
            long version = step.ReadVersion + tau + 1;
            _ctx.UpdateHook?.Invoke(group, step.ReadVersion, tau);
            step.Steps++;
            _ctx.StalenessGate?.OnApplied(group);
            _ctx.AfterUpdate(version, loss, _evaluator);
            StartOrWait(group);
            ReleaseWaiting();
            // A consistent point: every group has an in-flight read. Checkpoints taken here resume bit-identically.
            _ctx.CheckpointIfDue(version);
        }
        double wall = Stopwatch.GetElapsedTime(startTicks).TotalSeconds;
        long applied = server.Version;
        _ctx.BackendRecord = new SimulatorBackendRecord(Now, applied == 0 ? double.NaN : Now / applied, wall, _clock.Describe(),
            _gradients, _batches, _parallelism);
    }

    /// <summary>Starts the group's next cycle, or parks it under bounded staleness when it is too far ahead of the slowest.</summary>
    private void StartOrWait(int group)
    {
        var gate = _ctx.StalenessGate;
        if (gate is not null && !gate.MayStart(group))
        {
            _groups[group].Waiting = true;
            gate.Waited(group);
            return;
        }
        gate?.Started(group);
        StartCycle(group);
    }

    /// <summary>Starts, in group order, every parked group the last update allowed to go on (at the current time).</summary>
    private void ReleaseWaiting()
    {
        var gate = _ctx.StalenessGate;
        if (gate is null) return;
        for (int g = 0; g < _groups.Length; g++)
        {
            if (!_groups[g].Waiting || !gate.MayStart(g)) continue;
            _groups[g].Waiting = false;
            gate.Started(g);
            StartCycle(g);
        }
    }

    /// <summary>The group reads the current parameters, draws its batch and the duration of its cycle.</summary>
    private void StartCycle(int group)
    {
        var slot = _groups[group];
        slot.Step.Read(_ctx.Server);
        slot.Step.Sample();
        slot.ReadTime = Now;
        slot.Completion = Now + _clock.CycleTime(group, _timeStreams);
        slot.Ready = false;
        _pending[_pendingCount++] = group;
        _events.Enqueue(group, (slot.Completion, group));
    }

    /// <summary>Computes the pending gradients; false when the user interrupted them (the monitor records the stop).</summary>
    private bool TryComputePending(WorkPool pool)
    {
        try
        {
            ComputePending(pool);
            return true;
        }
        catch (OperationCanceledException)
        {
            _ = _ctx.Monitor.ShouldStop;
            return false;
        }
    }

    /// <summary>Computes the gradients of every in-flight group that has not got one yet, in parallel.</summary>
    private void ComputePending(WorkPool pool)
    {
        int k = _clock.GroupSize, tasks = 0;
        for (int i = 0; i < _pendingCount; i++)
        {
            for (int m = 0; m < k; m++)
            {
                _taskGroup[tasks] = _pending[i];
                _taskMember[tasks] = m;
                tasks++;
            }
        }
        pool.Run(tasks, _computeTask);
        for (int i = 0; i < _pendingCount; i++) _groups[_pending[i]].Ready = true;
        _gradients += tasks;
        _batches++;
        _pendingCount = 0;
    }

    private void ComputeTask(int task) => _groups[_taskGroup[task]].Step.Compute(_taskMember[task]);

    /// <summary>
    /// The explicit state of the simulation between two events: clock, per-group in-flight reads (version, time,
    /// completion, snapshot, batch), the per-worker time streams and the batch samplers. Together with the parameter
    /// server's state it determines the rest of the run (dropout masks are drawn from the worker's seed and the batch).
    /// </summary>
    public SimulationState GetState() => new(
        Now,
        _groups.Select(s => s.Waiting
            ? new InFlightRead(-1, s.ReadTime, Now, [], [], s.Step.Steps) { Waiting = true }
            : new InFlightRead(s.Step.ReadVersion, s.ReadTime, s.Completion, s.Step.Parameters.ToArray(), s.Step.Rows.ToArray(), s.Step.Steps)).ToArray(),
        _timeStreams.Select(r => r.GetState()).ToArray(),
        _ctx.Samplers.Select(s => s.SamplesDrawn).ToArray());

    /// <summary>
    /// Restores a state taken with <see cref="GetState"/> (before <c>Execute</c>): clock, in-flight reads, time streams
    /// and samplers; every in-flight gradient is recomputed from its snapshot and batch, so a resumed run is bit-identical
    /// to an uninterrupted one.
    /// </summary>
    internal void SetState(SimulationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int d = _ctx.Model.ParameterCount;
        if (state.Groups.Length != _groups.Length)
            throw new ArgumentException($"simulator state has {state.Groups.Length} groups, this run has {_groups.Length}");
        if (state.TimeStreams.Length != _timeStreams.Length)
            throw new ArgumentException($"simulator state has {state.TimeStreams.Length} worker streams, this run has {_timeStreams.Length} workers");
        if (state.Samplers.Length != _ctx.Samplers.Length)
            throw new ArgumentException($"simulator state has {state.Samplers.Length} samplers, this run has {_ctx.Samplers.Length}");
        if (!(state.Now >= 0) || !double.IsFinite(state.Now)) throw new ArgumentException($"simulator state clock {state.Now} is not a time >= 0");
        long version = _ctx.Server.Version;
        for (int g = 0; g < _groups.Length; g++)
        {
            var r = state.Groups[g];
            if (r.Waiting)
            {
                if (_ctx.StalenessGate is null) throw new ArgumentException($"simulator state, group {g}: waits under bounded staleness, but this run has no ssp policy");
                continue;
            }
            if (r.Parameters.Length != d) throw new ArgumentException($"simulator state, group {g}: {r.Parameters.Length} parameters, the model has {d}");
            if (r.Batch.Length != _groups[g].Step.Batch) throw new ArgumentException($"simulator state, group {g}: batch of {r.Batch.Length}, this run uses {_groups[g].Step.Batch}");
            if (r.ReadVersion < 0 || r.ReadVersion > version)
                throw new ArgumentException($"simulator state, group {g}: read version {r.ReadVersion} outside [0, {version}] (restore the parameter server first)");
            if (!(r.Completion >= state.Now) || !double.IsFinite(r.Completion))
                throw new ArgumentException($"simulator state, group {g}: completion time {r.Completion} is before the clock {state.Now}");
        }
        for (int w = 0; w < _timeStreams.Length; w++) _timeStreams[w] = RandomStream.FromState(state.TimeStreams[w]);
        for (int g = 0; g < _ctx.Samplers.Length; g++)
        {
            var sampler = _ctx.Samplers[g];
            if (sampler.SamplesDrawn == 0) sampler.FastForward(state.Samplers[g]);
            else if (sampler.SamplesDrawn != state.Samplers[g])
                throw new ArgumentException($"simulator state, group {g}: batch stream at {state.Samplers[g]} samples, the run's is at {sampler.SamplesDrawn}");
        }
        _events.Clear();
        _pendingCount = 0;
        for (int g = 0; g < _groups.Length; g++)
        {
            var slot = _groups[g];
            var r = state.Groups[g];
            slot.Waiting = r.Waiting;
            if (r.Waiting)
            {
                slot.Step.Steps = r.Steps;
                continue;
            }
            slot.Step.RestoreRead(r.Parameters, r.ReadVersion, r.Batch, r.Steps);
            slot.ReadTime = r.ReadTime;
            slot.Completion = r.Completion;
            slot.Ready = false;
            _pending[_pendingCount++] = g;
            _events.Enqueue(g, (slot.Completion, g));
        }
        _ctx.StalenessGate?.Restore(state.Groups.Select(r => r.Steps).ToArray());
        Volatile.Write(ref _now, state.Now);
    }

    /// <summary>A group in the simulation: its step and when its in-flight cycle started and completes.</summary>
    private sealed class SimulatedGroup(GroupStep step)
    {
        public GroupStep Step { get; } = step;
        public double ReadTime;
        public double Completion;
        public bool Ready;
        public bool Waiting;
    }

    /// <summary>Events by simulated time, ties broken by group index (deterministic).</summary>
    private sealed class EventOrder : IComparer<(double Time, int Group)>
    {
        public static readonly EventOrder Instance = new();

        public int Compare((double Time, int Group) x, (double Time, int Group) y)
        {
            int c = x.Time.CompareTo(y.Time);
            return c != 0 ? c : x.Group.CompareTo(y.Group);
        }
    }
}
