namespace Polyak.Cluster.Contracts;

/// <summary>The contiguous slice of parameters one shard owns and its initial state.</summary>
[GenerateSerializer, Immutable]
public sealed class ShardInit
{
    /// <summary>Job identifier.</summary>
    [Id(0)] public required string JobId { get; init; }

    /// <summary>Shard index k.</summary>
    [Id(1)] public required int Index { get; init; }

    /// <summary>First parameter of the slice.</summary>
    [Id(2)] public required int Offset { get; init; }

    /// <summary>Parameters of the slice as bytes (float32, little-endian).</summary>
    [Id(3)] public required byte[] W { get; init; }

    /// <summary>Previous step v of the slice as bytes.</summary>
    [Id(4)] public required byte[] V { get; init; }

    /// <summary>Version the slice is at.</summary>
    [Id(5)] public required long Version { get; init; }

    /// <summary>Base learning rate of the job's schedule.</summary>
    [Id(6)] public required double LearningRate { get; init; }

    /// <summary>The job's schedule spec (resolved, e.g. <c>cosine:2000</c>); the shard's update core computes alpha_t from it.</summary>
    [Id(7)] public required string Schedule { get; init; }

    /// <summary>Weight decay lambda.</summary>
    [Id(8)] public required double WeightDecay { get; init; }

    /// <summary>The explicit momentum in force at <see cref="Version"/>.</summary>
    [Id(9)] public required double Momentum { get; init; }

    /// <summary>The job's server-side staleness policy spec (<c>StalenessPolicy.Spec</c>; <c>none</c> by default): the shard's update core applies it.</summary>
    [Id(10)] public string Policy { get; init; } = "none";

    /// <summary>DC-ASGD-a's mean square over the slice as bytes (empty: none yet, or another policy).</summary>
    [Id(11)] public byte[] MeanSquare { get; init; } = [];
}
