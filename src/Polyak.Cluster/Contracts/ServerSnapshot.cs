namespace Polyak.Cluster.Contracts;

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

    /// <summary>The explicit momentum in force.</summary>
    [Id(4)] public double Momentum { get; init; }

    /// <summary>The momentum controller's series and estimator state as JSON (<c>AutoMomentumState</c>); null without auto momentum.</summary>
    [Id(5)] public string? AutoMomentum { get; init; }
}
