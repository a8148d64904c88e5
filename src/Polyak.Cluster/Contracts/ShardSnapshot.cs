namespace Polyak.Cluster.Contracts;

/// <summary>A consistent copy of one shard (w, v, version, and DC-ASGD-a's mean square when the job runs it).</summary>
[GenerateSerializer, Immutable]
public sealed class ShardSnapshot
{
    /// <summary>Outcome.</summary>
    [Id(0)] public required ShardStatus Status { get; init; }

    /// <summary>Version.</summary>
    [Id(1)] public long Version { get; init; }

    /// <summary>w slice as bytes.</summary>
    [Id(2)] public byte[] W { get; init; } = [];

    /// <summary>v slice as bytes.</summary>
    [Id(3)] public byte[] V { get; init; } = [];

    /// <summary>DC-ASGD-a's mean square of the slice as bytes (empty for the other policies or before the first update).</summary>
    [Id(4)] public byte[] MeanSquare { get; init; } = [];
}
