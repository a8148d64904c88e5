namespace Polyak.Cluster.Contracts;

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

    /// <summary>The explicit momentum in force after the update (it changes with <c>--momentum auto</c>).</summary>
    [Id(3)] public double Momentum { get; init; }
}
