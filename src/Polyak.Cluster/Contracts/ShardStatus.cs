namespace Polyak.Cluster.Contracts;

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
