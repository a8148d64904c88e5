namespace Polyak.Cluster.Contracts;

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
