namespace Polyak.Cluster.Contracts;

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
