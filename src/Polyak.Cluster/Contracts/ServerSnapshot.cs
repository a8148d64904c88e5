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

    /// <summary>DC-ASGD-a's mean square over all parameters as bytes (empty for the other policies or before the first update).</summary>
    [Id(6)] public byte[] MeanSquare { get; init; } = [];

    /// <summary>Updates dropped by a <c>drop:T</c> policy.</summary>
    [Id(7)] public long DroppedUpdates { get; init; }

    /// <summary>Updates applied per compute group, as the bounded-staleness gate counts them (empty without <c>ssp:S</c>).</summary>
    [Id(8)] public long[] GroupSteps { get; init; } = [];

    /// <summary>Times a group waited at the bounded-staleness gate.</summary>
    [Id(9)] public long GateWaits { get; init; }

    /// <summary>Largest lead of a group over the slowest when it started a step (at most the bound).</summary>
    [Id(10)] public long GateMaxLeadAtRead { get; init; }

    /// <summary>Largest lead of the fastest group over the slowest after an update.</summary>
    [Id(11)] public long GateMaxLead { get; init; }
}
