namespace Polyak.Cluster.Contracts;

/// <summary>A job as the registry remembers it, running or finished (so <c>cluster status</c> still lists finished jobs).</summary>
[GenerateSerializer, Immutable]
public sealed class JobEntry
{
    /// <summary>Job id.</summary>
    [Id(0)] public required string JobId { get; init; }

    /// <summary>The job's checkpoint folder (its run folder's <c>checkpoints</c>), null when it has none.</summary>
    [Id(1)] public string? CheckpointDir { get; init; }

    /// <summary>When it was submitted (UTC).</summary>
    [Id(2)] public DateTime SubmittedUtc { get; init; }

    /// <summary>How it ended (<c>completed</c>, or the stop reason); null while it runs.</summary>
    [Id(3)] public string? Outcome { get; init; }

    /// <summary>Updates applied when it ended.</summary>
    [Id(4)] public long Updates { get; init; }

    /// <summary>When it ended (UTC).</summary>
    [Id(5)] public DateTime? FinishedUtc { get; init; }
}
