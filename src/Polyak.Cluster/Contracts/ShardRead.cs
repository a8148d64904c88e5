namespace Polyak.Cluster.Contracts;

/// <summary>A slice of parameters read from one shard at one version.</summary>
[GenerateSerializer, Immutable]
public sealed class ShardRead
{
    /// <summary>Outcome.</summary>
    [Id(0)] public required ShardStatus Status { get; init; }

    /// <summary>Version of the slice.</summary>
    [Id(1)] public long Version { get; init; }

    /// <summary>The slice as bytes (empty unless Ok).</summary>
    [Id(2)] public byte[] W { get; init; } = [];
}
