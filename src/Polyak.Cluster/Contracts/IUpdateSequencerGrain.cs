using Orleans.Concurrency;

namespace Polyak.Cluster.Contracts;

/// <summary>
/// Orders the updates of a job across its shards: a commit is given the next version T, every shard applies the
/// push's staged slice as update T, and only then the version becomes T + 1 (one update at a time, so all shards
/// apply the same sequence and a read at a committed version is consistent). Its update core (the same
/// <c>UpdateCore</c> as every local server's) owns the version, the schedule, the staleness histogram and the explicit
/// momentum, and the closed-loop momentum controller observes it, writes checkpoints and rolls back to the
/// latest one when a shard lost its state. Key: job id.
/// </summary>
public interface IUpdateSequencerGrain : IGrainWithStringKey
{
    /// <summary>Starts the server: resumes from the latest checkpoint in the job's folder if any, else from <paramref name="initialW"/>. Returns the starting version.</summary>
    Task<long> Start(JobSpec job, byte[] initialW);

    /// <summary>
    /// Orders the push of <paramref name="request"/>: every shard applies it as the next update under the job's staleness
    /// policy (or consumes it, when the policy drops it), then the sequencer's core does the same on the tracked coordinates.
    /// </summary>
    Task<CommitResult> Commit(CommitRequest request);

    /// <summary>
    /// Bounded staleness (<c>ssp:S</c>): waits until <paramref name="group"/> may start its next step (it is at most S of
    /// its own steps ahead of the slowest group), at most <paramref name="timeoutMs"/> ms. True when it may start (always
    /// without the policy, and once the job stops); false on timeout (the leader beats its heart and asks again).
    /// </summary>
    [AlwaysInterleave]
    Task<bool> WaitForTurn(int group, int timeoutMs);

    /// <summary>The latest version applied on every shard.</summary>
    [AlwaysInterleave]
    Task<long> CommittedVersion();

    /// <summary>Writes a checkpoint now (between updates, so consistent across shards).</summary>
    Task<long> Checkpoint();

    /// <summary>w, v, version and staleness histogram, consistent across shards.</summary>
    Task<ServerSnapshot> Snapshot();

    /// <summary>Stops accepting commits.</summary>
    [AlwaysInterleave]
    Task Stop();

    /// <summary>Forgets the job (its tracked coordinates, controller, staleness counts) and deactivates: the job has ended.</summary>
    Task Release();

    /// <summary>Version, limits, checkpoints, recoveries.</summary>
    [AlwaysInterleave, ResponseTimeout("00:00:05")]
    Task<SequencerStatus> Status();

    /// <summary>Checks every shard still holds its state; rolls back to the latest checkpoint when one lost it. True when all were fine.</summary>
    Task<bool> EnsureShards();

    /// <summary>Where each shard lives.</summary>
    Task<ShardInfo[]> Shards();
}
