using System.Runtime.InteropServices;

namespace Polyak.Cluster.Contracts;

/// <summary>
/// Moves float vectors as raw bytes (float32, machine byte order: every silo of a cluster is little-endian .NET):
/// Orleans serializes <c>byte[]</c> several times faster than <c>float[]</c>.
/// </summary>
public static class FloatBytes
{
    /// <summary>A new byte array holding <paramref name="values"/>.</summary>
    public static byte[] ToBytes(ReadOnlySpan<float> values) => MemoryMarshal.AsBytes(values).ToArray();

    /// <summary>The floats inside <paramref name="bytes"/> (no copy).</summary>
    public static ReadOnlySpan<float> AsFloats(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % sizeof(float) != 0) throw new ArgumentException($"a float payload must be a multiple of 4 bytes, got {bytes.Length}");
        return MemoryMarshal.Cast<byte, float>(bytes);
    }

    /// <summary>Copies the floats of <paramref name="bytes"/> into <paramref name="destination"/> (lengths must match).</summary>
    public static void CopyTo(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        var f = AsFloats(bytes);
        if (f.Length != destination.Length) throw new ArgumentException($"expected {destination.Length} floats, got {f.Length}");
        f.CopyTo(destination);
    }
}
