namespace Polyak.Cluster.Contracts;

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
