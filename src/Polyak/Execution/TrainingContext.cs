using System.Diagnostics;
using Polyak.Data;
using Polyak.Models;
using Polyak.Optimization;

namespace Polyak.Execution;

/// <summary>
/// Everything a backend needs for one run: the plan, the parameter server, the monitor, the batch streams (one per
/// compute group), the momentum controller when there is one, and what the backend records or keeps for the run.
/// </summary>
public sealed class TrainingContext
{
    /// <summary>Creates a context; each group's batch stream is derived from the run seed and the group index.</summary>
    public TrainingContext(RunPlan plan, ParameterServer server, RunMonitor monitor)
    {
        Plan = plan;
        Server = server;
        Monitor = monitor;
        Samplers = new BatchSampler[plan.Groups];
        for (int g = 0; g < plan.Groups; g++) Samplers[g] = new BatchSampler(plan.Data.Train.Count, plan.Seed, GroupStep.StreamIndex(g));
        if (plan.StalenessPolicy.StepBound is int bound) StalenessGate = new BoundedStalenessGate(plan.Groups, bound);
    }

    /// <summary>The bounded-staleness rule groups start their steps under (<c>--staleness-policy ssp:S</c>; null otherwise).</summary>
    public BoundedStalenessGate? StalenessGate { get; }

    /// <summary>The plan of the run.</summary>
    public RunPlan Plan { get; }

    /// <summary>The model.</summary>
    public IModel Model => Plan.Model;

    /// <summary>Train/test/eval data.</summary>
    public DataSplit Data => Plan.Data;

    /// <summary>The parameter server.</summary>
    public ParameterServer Server { get; }

    /// <summary>Stop conditions, evaluation schedule, loss curve.</summary>
    public RunMonitor Monitor { get; }

    /// <summary>One batch sampler per compute group (index = group).</summary>
    public BatchSampler[] Samplers { get; }

    /// <summary>The closed-loop momentum controller attached to the server's core (null with a fixed momentum).</summary>
    public MomentumController? Controller { get; init; }

    /// <summary>The run folder, when the run writes one (the cluster keeps its checkpoints there).</summary>
    public string? RunDirectory { get; init; }

    /// <summary>What the backend records about the run (a typed record, serialised as <c>run.json</c>'s <c>backend</c> section).</summary>
    public object? BackendRecord { get; set; }

    /// <summary>State a backend keeps for this run (the simulator's run, or the state to resume from before it runs).</summary>
    public object? BackendState { get; set; }

    /// <summary>Test hook: called after each applied update with (group, read version, staleness).</summary>
    public Action<int, long, long>? UpdateHook { get; set; }

    /// <summary>Test hook: called by a group leader before it pushes (group, its step count); may block.</summary>
    public Action<int, long>? BeforePushHook { get; set; }

    /// <summary>Writes a checkpoint of the run as it is now (set by the trainer; null when checkpoints are off).</summary>
    public Action? WriteCheckpoint { get; set; }

    /// <summary>The group step of group <paramref name="group"/> on this run's model, data, seed and batch stream.</summary>
    public GroupStep CreateGroupStep(int group) =>
        new(Model, Data.Train, group, Plan.GroupSize, Plan.Batch, Plan.Seed, Samplers[group], Monitor.Cancellation);

    /// <summary>A new evaluator of this run's model on its evaluation subset.</summary>
    public Evaluator CreateEvaluator() => new(Model, Data);

    /// <summary>
    /// What a worker does after applying update <paramref name="version"/> with a batch loss of <paramref name="batchLoss"/>:
    /// tells the monitor (stop conditions) and, when the evaluation schedule says so, reads the parameters into
    /// <paramref name="evaluator"/> and records an evaluation.
    /// </summary>
    public void AfterUpdate(long version, double batchLoss, Evaluator evaluator)
    {
        if (!Monitor.OnApplied(version, batchLoss)) return;
        long v = Server.Read(evaluator.Parameters);
        try
        {
            EvaluateAndRecord(evaluator.Parameters, v, evaluator, Monitor.Cancellation);
        }
        catch (OperationCanceledException)
        {
            // The user interrupted a long evaluation: the point is not recorded and the run stops (the monitor says so).
            _ = Monitor.ShouldStop;
        }
    }

    /// <summary>Writes a periodic checkpoint when one is due after update <paramref name="version"/> (call at a consistent point).</summary>
    public void CheckpointIfDue(long version)
    {
        if (WriteCheckpoint is not null && Monitor.CheckpointDue(version))
        {
            WriteCheckpoint();
            Monitor.CheckpointWritten();
        }
    }

    /// <summary>
    /// Evaluates the parameters in <paramref name="w"/> (at <paramref name="version"/>) on the eval subset, and on the
    /// held-out split when the run has an accuracy target, and records it; <paramref name="cancel"/> interrupts a long one.
    /// </summary>
    public void EvaluateAndRecord(ReadOnlySpan<float> w, long version, Evaluator evaluator, CancellationToken cancel = default)
    {
        long start = Stopwatch.GetTimestamp();
        var result = evaluator.Evaluate(w, cancel);
        EvaluationResult? heldOut = Plan.TargetAccuracy is null ? null : evaluator.EvaluateHeldOut(w, cancel);
        Monitor.RecordEvaluation(version, result, Model.IsClassifier, Stopwatch.GetElapsedTime(start), heldOut: heldOut);
    }
}
