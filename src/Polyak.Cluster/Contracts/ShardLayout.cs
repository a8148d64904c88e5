namespace Polyak.Cluster.Contracts;

/// <summary>How d parameters split into K contiguous shard slices (sizes differ by at most one).</summary>
public static class ShardLayout
{
    /// <summary>Offset and length of shard <paramref name="k"/> of <paramref name="shards"/> over <paramref name="dimension"/> parameters.</summary>
    public static (int Offset, int Length) Slice(int dimension, int shards, int k)
    {
        int baseSize = dimension / shards, extra = dimension % shards;
        return (k * baseSize + Math.Min(k, extra), baseSize + (k < extra ? 1 : 0));
    }

    /// <summary>Default shard count: 4 (never more than d).</summary>
    public static int DefaultShards(int dimension) => Math.Clamp(4, 1, dimension);
}
