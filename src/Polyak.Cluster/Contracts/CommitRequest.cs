namespace Polyak.Cluster.Contracts;

/// <summary>A group leader's request to order the push it staged on every shard.</summary>
[GenerateSerializer, Immutable]
public sealed class CommitRequest
{
    /// <summary>The push staged on every shard.</summary>
    [Id(0)] public required long PushId { get; init; }

    /// <summary>The version the gradient was computed on.</summary>
    [Id(1)] public required long ReadVersion { get; init; }

    /// <summary>The group's batch loss (NaN when unknown).</summary>
    [Id(2)] public float BatchLoss { get; init; } = float.NaN;

    /// <summary>The gradient at <see cref="JobSpec.TrackedCoordinates"/> (float32 bytes; empty without auto momentum), for the momentum controller.</summary>
    [Id(3)] public byte[] TrackedGradient { get; init; } = [];

    /// <summary>The parameters read at the tracked coordinates (float32 bytes), sent only under delay compensation, so the sequencer's copy of them follows the shards' compensated step.</summary>
    [Id(4)] public byte[] TrackedRead { get; init; } = [];

    /// <summary>The compute group that computed the gradient (the bounded-staleness gate counts its steps).</summary>
    [Id(5)] public int Group { get; init; }
}
