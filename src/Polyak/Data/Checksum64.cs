using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Polyak.Data;

/// <summary>
/// A fast non-cryptographic 64-bit checksum (four multiply-rotate lanes over 32-byte blocks, in the style of xxHash64)
/// used to detect corrupt cache files. Not a security measure.
/// </summary>
public static class Checksum64
{
    private const ulong P1 = 11400714785074694791UL, P2 = 14029467366897019727UL, P3 = 1609587929392839161UL;

    /// <summary>Checksum of <paramref name="data"/>.</summary>
    public static ulong Compute(ReadOnlySpan<byte> data)
    {
        ulong a = unchecked(P1 + P2), b = P2, c = 0, d = unchecked(0 - P1);
        int blocks = data.Length / 32;
        var words = MemoryMarshal.Cast<byte, ulong>(data[..(blocks * 32)]);
        for (int i = 0; i < words.Length; i += 4)
        {
            a = Round(a, words[i]);
            b = Round(b, words[i + 1]);
            c = Round(c, words[i + 2]);
            d = Round(d, words[i + 3]);
        }
        ulong h = BitOperations.RotateLeft(a, 1) + BitOperations.RotateLeft(b, 7) + BitOperations.RotateLeft(c, 12) + BitOperations.RotateLeft(d, 18);
        h ^= (ulong)data.Length * P3;
        var tail = data[(blocks * 32)..];
        while (tail.Length >= 8)
        {
            h = BitOperations.RotateLeft(h ^ Round(0, BinaryPrimitives.ReadUInt64LittleEndian(tail)), 27) * P1 + P3;
            tail = tail[8..];
        }
        foreach (byte x in tail) h = BitOperations.RotateLeft(h ^ (x * P3), 11) * P1;
        h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32;
        return h;
    }

    private static ulong Round(ulong acc, ulong input)
    {
        acc += BitConverter.IsLittleEndian ? input * P2 : BinaryPrimitives.ReverseEndianness(input) * P2;
        return BitOperations.RotateLeft(acc, 31) * P1;
    }
}
