namespace Polyak.Optimization;

/// <summary>
/// The coordinates of the flat parameter vector that one <see cref="UpdateCore"/> owns: a contiguous range (a whole
/// server, or a cluster shard's slice) or an explicit sorted list (the cluster sequencer's copy of the coordinates the
/// momentum estimator tracks). Local position <c>j</c> holds global coordinate <see cref="Global"/>(j).
/// </summary>
public sealed class CoordinateSet
{
    private readonly int[]? _indices;

    private CoordinateSet(int offset, int count, int[]? indices)
    {
        Offset = offset;
        Count = count;
        _indices = indices;
    }

    /// <summary>The range [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="count"/>).</summary>
    public static CoordinateSet Range(int offset, int count)
    {
        if (offset < 0 || count < 0 || (long)offset + count > int.MaxValue)
            throw new ArgumentOutOfRangeException(null, $"coordinate range [{offset}, {(long)offset + count}) is not valid");
        return new CoordinateSet(offset, count, null);
    }

    /// <summary>An explicit list of distinct coordinates in increasing order (copied).</summary>
    public static CoordinateSet Of(ReadOnlySpan<int> sortedIndices)
    {
        for (int j = 0; j < sortedIndices.Length; j++)
        {
            if (sortedIndices[j] < 0 || (j > 0 && sortedIndices[j] <= sortedIndices[j - 1]))
                throw new ArgumentException($"coordinates must be distinct, >= 0 and increasing; position {j} holds {sortedIndices[j]}");
        }
        return new CoordinateSet(0, sortedIndices.Length, sortedIndices.ToArray());
    }

    /// <summary>Number of coordinates.</summary>
    public int Count { get; }

    /// <summary>First coordinate of a range (0 for a list).</summary>
    public int Offset { get; }

    /// <summary>The global coordinate at local position <paramref name="local"/>.</summary>
    public int Global(int local) => _indices is null ? Offset + local : _indices[local];

    /// <summary>The local position of global coordinate <paramref name="global"/>, or -1 when it is not in the set.</summary>
    public int LocalOf(int global)
    {
        if (_indices is null) return global >= Offset && global < Offset + Count ? global - Offset : -1;
        int i = Array.BinarySearch(_indices, global);
        return i >= 0 ? i : -1;
    }
}
