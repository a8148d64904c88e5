namespace Polyak.Cluster.Contracts;

/// <summary>A training job as submitted to the cluster: the run configuration and how the server is laid out.</summary>
[GenerateSerializer, Immutable]
public sealed class JobSpec
{
    /// <summary>Job identifier (the key of the coordinator, sequencer and the prefix of shard/worker keys).</summary>
    [Id(0)] public required string JobId { get; init; }

    /// <summary>The training options (JSON of <c>TrainingOptions</c>, learning rate and groups resolved).</summary>
    [Id(1)] public required string OptionsJson { get; init; }

    /// <summary>Number of parameter shards K.</summary>
    [Id(2)] public required int Shards { get; init; }

    /// <summary>Number of parameters d.</summary>
    [Id(3)] public required int Dimension { get; init; }

    /// <summary>Maximum number of updates (long.MaxValue when unlimited).</summary>
    [Id(4)] public required long UpdateLimit { get; init; }

    /// <summary>Evaluate every this many updates.</summary>
    [Id(5)] public required int EvalEvery { get; init; }

    /// <summary>Folder of the job's checkpoints (must be reachable from the silo hosting the sequencer); null = none.</summary>
    [Id(6)] public string? CheckpointDir { get; init; }

    /// <summary>Checkpoint every this many updates (0 = never).</summary>
    [Id(7)] public long CheckpointEvery { get; init; }

    /// <summary>Number of workers N.</summary>
    [Id(8)] public required int Workers { get; init; }

    /// <summary>Number of compute groups g.</summary>
    [Id(9)] public required int Groups { get; init; }

    /// <summary>Deadline of a compute group's barrier (seconds) before a missing member is named and replaced.</summary>
    [Id(10)] public double BarrierDeadlineSeconds { get; init; } = 5;

    /// <summary>
    /// Coordinates the job's momentum controller tracks (empty without <c>--momentum auto</c>): leaders send the gradient
    /// at these coordinates with every commit, and the sequencer's update core keeps w and v there, so the controller on
    /// the sequencer sees exactly what it would see on a local server.
    /// </summary>
    [Id(11)] public int[] TrackedCoordinates { get; init; } = [];

    /// <summary>
    /// Seconds the job goes on without hearing from its client (<see cref="IJobCoordinatorGrain.ClientAlive"/>) before it
    /// takes a checkpoint and stops, so a killed client leaves no orphan writing into its folder; 0 = never (detached).
    /// </summary>
    [Id(12)] public double ClientGraceSeconds { get; init; } = 30;

    /// <summary>
    /// Seconds a group leader may go without a heartbeat before the coordinator replaces it. A leader on a silo that
    /// membership declares dead is replaced at once whatever this says; this catches a leader that stopped on a live
    /// silo, so it is long enough that a busy leader on a loaded machine (or a silo frozen for 10 s) is never replaced.
    /// </summary>
    [Id(13)] public double LeaderTimeoutSeconds { get; init; } = 30;

    /// <summary>The client's proof that it holds the cluster secret (<see cref="Security.ClusterSecurity.Prove"/>; empty without one).</summary>
    [Id(14)] public byte[] Proof { get; init; } = [];

    /// <summary>Workers per group.</summary>
    public int GroupSize => Workers / Groups;
}
