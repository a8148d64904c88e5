namespace Polyak.Execution;

/// <summary>The headline numbers of a run (also the core of <c>--json</c>).</summary>
public sealed record RunSummary
{
    /// <summary>Updates applied.</summary>
    public long Updates { get; init; }

    /// <summary>Epochs of training data consumed (updates x B / n).</summary>
    public double Epochs { get; init; }

    /// <summary>Evaluation loss before training.</summary>
    public double InitialLoss { get; init; }

    /// <summary>Evaluation loss after training.</summary>
    public double FinalLoss { get; init; }

    /// <summary>Test accuracy after training (null for regression).</summary>
    public double? FinalAccuracy { get; init; }

    /// <summary>Test loss after training.</summary>
    public double TestLoss { get; init; }

    /// <summary>Training wall seconds (final evaluation excluded).</summary>
    public double WallSeconds { get; init; }

    /// <summary>Wall seconds spent in periodic evaluations while training ran (summed over threads; the initial and final evaluations excluded).</summary>
    public double EvalSeconds { get; init; }

    /// <summary>
    /// The wall time those evaluations took, which throughput excludes: <see cref="EvalSeconds"/> divided by the groups
    /// when they evaluate in parallel (threads, cluster), all of it on the simulator (null in records written before it existed).
    /// </summary>
    public double? EvalWallSeconds { get; init; }

    /// <summary>Updates per second of training (evaluation time excluded).</summary>
    public double UpdatesPerSecond { get; init; }

    /// <summary>Samples per second (updates x B per second).</summary>
    public double SamplesPerSecond { get; init; }

    /// <summary>Seconds per update (hardware efficiency; NaN, written as null, when no update was applied).</summary>
    public double SecondsPerUpdate { get; init; }

    /// <summary>Simulated seconds (simulated backend only).</summary>
    public double? SimulatedSeconds { get; init; }

    /// <summary>Staleness statistics.</summary>
    public required StalenessSummary Staleness { get; init; }

    /// <summary>Whether the target (loss or accuracy) was reached (null when no target).</summary>
    public bool? ReachedTarget { get; init; }

    /// <summary>First evaluated update at which the target was reached (statistical efficiency).</summary>
    public long? UpdatesToTarget { get; init; }

    /// <summary>
    /// Training seconds to the accuracy target (wall time with the evaluations' time excluded, the DAWNBench convention);
    /// null without an accuracy target, when it was not reached, or when it was reached before a resume.
    /// </summary>
    public double? TimeToTarget { get; init; }

    /// <summary>Simulated seconds to the accuracy target, on the simulator.</summary>
    public double? SimulatedTimeToTarget { get; init; }

    /// <summary>Updates a <c>drop:T</c> staleness policy dropped in this session (null without that policy): work done, nothing applied.</summary>
    public long? DroppedUpdates { get; init; }

    /// <summary>Under <c>ssp:S</c>: times a group waited for the slowest before a step (null without that policy).</summary>
    public long? BoundedStalenessWaits { get; init; }

    /// <summary>Under <c>ssp:S</c>: the largest lead (own steps ahead of the slowest group) any group started a step with; at most S.</summary>
    public long? BoundedStalenessMaxLead { get; init; }
}
