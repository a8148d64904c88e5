using Orleans.Runtime;

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

    /// <summary>Workers per group.</summary>
    public int GroupSize => Workers / Groups;
}

/// <summary>The contiguous slice of parameters one shard owns and its initial state.</summary>
[GenerateSerializer, Immutable]
public sealed class ShardInit
{
    /// <summary>Job identifier.</summary>
    [Id(0)] public required string JobId { get; init; }

    /// <summary>Shard index k.</summary>
    [Id(1)] public required int Index { get; init; }

    /// <summary>First parameter of the slice.</summary>
    [Id(2)] public required int Offset { get; init; }

    /// <summary>Parameters of the slice as bytes (float32, little-endian).</summary>
    [Id(3)] public required byte[] W { get; init; }

    /// <summary>Previous step v of the slice as bytes.</summary>
    [Id(4)] public required byte[] V { get; init; }

    /// <summary>Version the slice is at.</summary>
    [Id(5)] public required long Version { get; init; }
}

/// <summary>Outcome of a shard read or apply.</summary>
[GenerateSerializer]
public enum ShardStatus
{
    /// <summary>Done.</summary>
    Ok = 0,

    /// <summary>The shard has no state (re-activated after its silo died): the job must restore it.</summary>
    Lost = 1,

    /// <summary>The requested version is no longer held (too old) or not yet applied.</summary>
    Unavailable = 2,

    /// <summary>The shard is not at the version the command is for.</summary>
    Mismatch = 3,

    /// <summary>The shard is at the right version but holds no staged gradient for this push (it was staged elsewhere or never).</summary>
    Missing = 4,
}

/// <summary>A slice of parameters read from one shard at one version.</summary>
[GenerateSerializer, Immutable]
public sealed class ShardRead
{
    /// <summary>Outcome.</summary>
    [Id(0)] public required ShardStatus Status { get; init; }

    /// <summary>Version of the slice.</summary>
    [Id(1)] public long Version { get; init; }

    /// <summary>The slice as bytes (empty unless Ok).</summary>
    [Id(2)] public byte[] W { get; init; } = [];
}

/// <summary>One heavy-ball step as the sequencer orders it: apply staged push <c>PushId</c> as update <c>T</c>.</summary>
[GenerateSerializer, Immutable]
public sealed class ApplyCommand
{
    /// <summary>The push whose staged gradient slice is applied.</summary>
    [Id(0)] public required long PushId { get; init; }

    /// <summary>The version before this update (the update makes it T + 1).</summary>
    [Id(1)] public required long T { get; init; }

    /// <summary>Learning rate alpha_T.</summary>
    [Id(2)] public required float Alpha { get; init; }

    /// <summary>Momentum mu.</summary>
    [Id(3)] public required float Mu { get; init; }

    /// <summary>Weight decay lambda.</summary>
    [Id(4)] public required float Lambda { get; init; }
}

/// <summary>A consistent copy of one shard (w, v, version).</summary>
[GenerateSerializer, Immutable]
public sealed class ShardSnapshot
{
    /// <summary>Outcome.</summary>
    [Id(0)] public required ShardStatus Status { get; init; }

    /// <summary>Version.</summary>
    [Id(1)] public long Version { get; init; }

    /// <summary>w slice as bytes.</summary>
    [Id(2)] public byte[] W { get; init; } = [];

    /// <summary>v slice as bytes.</summary>
    [Id(3)] public byte[] V { get; init; } = [];
}

/// <summary>Where a shard lives and how far it is.</summary>
[GenerateSerializer, Immutable]
public sealed class ShardInfo
{
    /// <summary>Shard index.</summary>
    [Id(0)] public int Index { get; init; }

    /// <summary>Silo hosting the activation.</summary>
    [Id(1)] public string Silo { get; init; } = "";

    /// <summary>Applied version.</summary>
    [Id(2)] public long Version { get; init; }

    /// <summary>Parameters in the slice.</summary>
    [Id(3)] public int Length { get; init; }

    /// <summary>False when the activation has no state (lost).</summary>
    [Id(4)] public bool Initialized { get; init; }
}

/// <summary>Outcome of a commit at the sequencer.</summary>
[GenerateSerializer]
public enum CommitStatus
{
    /// <summary>Applied on every shard; the version advanced by one.</summary>
    Applied = 0,

    /// <summary>The job is stopping: drop the gradient and stop.</summary>
    Stopped = 1,

    /// <summary>Not applied (state rolled back to a checkpoint, or the read is newer than the server): read again.</summary>
    Rejected = 2,
}

/// <summary>What the sequencer answers to a commit.</summary>
[GenerateSerializer, Immutable]
public sealed class CommitResult
{
    /// <summary>Outcome.</summary>
    [Id(0)] public required CommitStatus Status { get; init; }

    /// <summary>Staleness of the applied update.</summary>
    [Id(1)] public long Staleness { get; init; }

    /// <summary>Version after the update.</summary>
    [Id(2)] public long Version { get; init; }
}

/// <summary>The whole server state at one version, gathered from every shard (final copy-back, checkpoints).</summary>
[GenerateSerializer, Immutable]
public sealed class ServerSnapshot
{
    /// <summary>Version.</summary>
    [Id(0)] public required long Version { get; init; }

    /// <summary>w as bytes.</summary>
    [Id(1)] public required byte[] W { get; init; }

    /// <summary>v as bytes.</summary>
    [Id(2)] public required byte[] V { get; init; }

    /// <summary>Staleness histogram counts.</summary>
    [Id(3)] public required long[] Staleness { get; init; }
}

/// <summary>State of the sequencer: version, limits, checkpoints, recoveries.</summary>
[GenerateSerializer, Immutable]
public sealed class SequencerStatus
{
    /// <summary>Applied updates.</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>True once the update limit was reached or a stop was requested.</summary>
    [Id(1)] public bool Stopped { get; init; }

    /// <summary>Exponential moving average of the mini-batch loss of applied updates.</summary>
    [Id(2)] public double BatchLoss { get; init; } = double.NaN;

    /// <summary>Checkpoints written.</summary>
    [Id(3)] public int Checkpoints { get; init; }

    /// <summary>Version of the latest checkpoint (-1 = none).</summary>
    [Id(4)] public long LastCheckpointVersion { get; init; } = -1;

    /// <summary>Updates lost by rollbacks to a checkpoint.</summary>
    [Id(5)] public long UpdatesLost { get; init; }

    /// <summary>Number of rollbacks (shard state lost and restored).</summary>
    [Id(6)] public int Recoveries { get; init; }

    /// <summary>Version a job resumed from (-1 = fresh start).</summary>
    [Id(7)] public long ResumedFrom { get; init; } = -1;

    /// <summary>Human-readable events (recoveries, checkpoint problems).</summary>
    [Id(8)] public string[] Events { get; init; } = [];
}

/// <summary>One evaluation of the parameters at a version, on the fixed evaluation subset.</summary>
[GenerateSerializer, Immutable]
public sealed class EvalReport
{
    /// <summary>Version evaluated.</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>Mean loss.</summary>
    [Id(1)] public double Loss { get; init; }

    /// <summary>Correct predictions.</summary>
    [Id(2)] public long Correct { get; init; }

    /// <summary>Rows evaluated.</summary>
    [Id(3)] public int Count { get; init; }

    /// <summary>Seconds the evaluation took.</summary>
    [Id(4)] public double Seconds { get; init; }
}

/// <summary>A group leader's periodic report.</summary>
[GenerateSerializer, Immutable]
public sealed class GroupHeartbeat
{
    /// <summary>Group index.</summary>
    [Id(0)] public int Group { get; init; }

    /// <summary>Updates this group pushed (applied).</summary>
    [Id(1)] public long Steps { get; init; }

    /// <summary>Silo of the leader.</summary>
    [Id(2)] public string Silo { get; init; } = "";

    /// <summary>Members (worker indices) currently excluded from the group.</summary>
    [Id(3)] public int[] MissingMembers { get; init; } = [];

    /// <summary>Seconds since the coordinator heard from this group (filled in by the coordinator).</summary>
    [Id(4)] public double SilentSeconds { get; init; }

    /// <summary>Generation of the group's leader.</summary>
    [Id(5)] public int Generation { get; init; }

    /// <summary>Address of the leader's silo (the coordinator replaces the group as soon as membership declares it dead).</summary>
    [Id(6)] public SiloAddress? Address { get; init; }
}

/// <summary>The job as the coordinator sees it, for the client and <c>polyak cluster status</c>.</summary>
[GenerateSerializer, Immutable]
public sealed class JobStatus
{
    /// <summary>Job identifier.</summary>
    [Id(0)] public string JobId { get; init; } = "";

    /// <summary>Sequencer state.</summary>
    [Id(1)] public SequencerStatus Server { get; init; } = new();

    /// <summary>Evaluations from the requested index on.</summary>
    [Id(2)] public EvalReport[] Evaluations { get; init; } = [];

    /// <summary>Index of the next evaluation (cursor for the next call).</summary>
    [Id(3)] public int NextEvaluation { get; init; }

    /// <summary>Per-group heartbeats.</summary>
    [Id(4)] public GroupHeartbeat[] Groups { get; init; } = [];

    /// <summary>Worker failures and replacements, in order.</summary>
    [Id(5)] public string[] Events { get; init; } = [];

    /// <summary>True once every group leader has stopped.</summary>
    [Id(6)] public bool Finished { get; init; }

    /// <summary>Stop reason if stopped.</summary>
    [Id(7)] public string? StopReason { get; init; }

    /// <summary>Groups replaced after their leader was lost.</summary>
    [Id(8)] public int Replacements { get; init; }

    /// <summary>Watchdog checks run so far.</summary>
    [Id(9)] public long WatchdogChecks { get; init; }

    /// <summary>Silo hosting the coordinator (and, by the same placement, the sequencer).</summary>
    [Id(10)] public string CoordinatorSilo { get; init; } = "";
}

/// <summary>What one worker does in a job.</summary>
[GenerateSerializer, Immutable]
public sealed class WorkerAssignment
{
    /// <summary>The job.</summary>
    [Id(0)] public required JobSpec Job { get; init; }

    /// <summary>Group index.</summary>
    [Id(1)] public required int Group { get; init; }

    /// <summary>Member index within the group (0 = leader).</summary>
    [Id(2)] public required int Member { get; init; }

    /// <summary>Generation of the group (incremented when the leader is replaced; derives a fresh sample stream).</summary>
    [Id(3)] public int Generation { get; init; }
}

/// <summary>A member's share of a group step: its gradient and loss.</summary>
[GenerateSerializer, Immutable]
public sealed class SliceResult
{
    /// <summary>Mean gradient of the slice as bytes.</summary>
    [Id(0)] public required byte[] Gradient { get; init; }

    /// <summary>Mean loss of the slice.</summary>
    [Id(1)] public required float Loss { get; init; }
}
