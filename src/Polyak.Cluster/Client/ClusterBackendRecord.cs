namespace Polyak.Cluster.Client;

/// <summary>What a cluster run recorded (<c>run.json</c>'s <c>backend</c> section): where it ran, its shards and leaders, checkpoints and recoveries.</summary>
public sealed record ClusterBackendRecord
{
    /// <summary>The gateway the client used (or "in-process").</summary>
    public required string Cluster { get; init; }

    /// <summary>The job's id.</summary>
    public required string JobId { get; init; }

    /// <summary>Each shard: index, silo, parameters held.</summary>
    public required IReadOnlyList<ClusterShardRecord> Shards { get; init; }

    /// <summary>Each group's leader: silo, updates pushed, members it stood in for.</summary>
    public required IReadOnlyList<ClusterLeaderRecord> Leaders { get; init; }

    /// <summary>Folder of the job's checkpoints (null = none).</summary>
    public string? CheckpointDir { get; init; }

    /// <summary>Checkpoint period in updates.</summary>
    public long CheckpointEvery { get; init; }

    /// <summary>Checkpoints written.</summary>
    public int Checkpoints { get; init; }

    /// <summary>Version of the latest checkpoint (-1 = none).</summary>
    public long LastCheckpoint { get; init; }

    /// <summary>Version the job resumed from (null = a fresh start).</summary>
    public long? ResumedFrom { get; init; }

    /// <summary>
    /// Updates applied and then undone by rollbacks to a checkpoint. At least 0; at most the updates applied since the
    /// checkpoint rolled back to, summed over the recoveries (each rollback loses fewer than CheckpointEvery updates
    /// plus the ones applied while a failed update was retried).
    /// </summary>
    public long UpdatesLost { get; init; }

    /// <summary>
    /// The last update this client saw applied, when the run ended without the job's final state (its cluster stopped
    /// answering): how far the job got, so a resume from an older checkpoint counts the updates it does again.
    /// </summary>
    public long? ReachedUpdate { get; init; }

    /// <summary>Rollbacks to a checkpoint (a shard lost its state).</summary>
    public int Recoveries { get; init; }

    /// <summary>Group leaders replaced after their silo died or they went silent.</summary>
    public int WorkerReplacements { get; init; }

    /// <summary>Checks the coordinator's watchdog ran.</summary>
    public long WatchdogChecks { get; init; }

    /// <summary>Failures, replacements and recoveries, in order.</summary>
    public required IReadOnlyList<string> Events { get; init; }
}
