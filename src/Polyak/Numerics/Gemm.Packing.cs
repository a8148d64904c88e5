using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Polyak.Numerics;

public static partial class Gemm
{
    /// <summary>
    /// Transposes the 8 x 8 block <c>src[i * ld + q]</c> (i, q &lt; 8) into <c>dst[q * dstStride + i]</c>, scaled by
    /// <paramref name="scale"/>: the gather step of packing a row-major operand into depth-major slivers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(float* src, long ld, float* dst, int dstStride, float scale)
        => Transpose8x8(src, ld, 8, dst, dstStride, scale);

    /// <summary>
    /// As <see cref="Transpose8x8(float*, long, float*, int, float)"/> for the first <paramref name="rows"/> (1..8) rows
    /// only: the missing rows are never read (row <c>rows - 1</c> stands in for them, so lanes past <paramref name="rows"/>
    /// hold copies, which the kernels never use).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(float* src, long ld, int rows, float* dst, int dstStride, float scale)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + Math.Min(1, rows - 1) * ld);
        var r2 = Avx.LoadVector256(src + Math.Min(2, rows - 1) * ld);
        var r3 = Avx.LoadVector256(src + Math.Min(3, rows - 1) * ld);
        var r4 = Avx.LoadVector256(src + Math.Min(4, rows - 1) * ld);
        var r5 = Avx.LoadVector256(src + Math.Min(5, rows - 1) * ld);
        var r6 = Avx.LoadVector256(src + Math.Min(6, rows - 1) * ld);
        var r7 = Avx.LoadVector256(src + Math.Min(7, rows - 1) * ld);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        var s = Vector256.Create(scale);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20) * s);
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20) * s);
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20) * s);
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20) * s);
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31) * s);
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31) * s);
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31) * s);
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31) * s);
    }

    /// <summary>
    /// Packs <paramref name="rows"/> rows of a row-major operand, columns [0, kc), into a depth-major sliver
    /// <c>dst[p * stride + i] = scale * src[i * ld + p]</c> with 8 x 8 register transposes (the depth tail is scalar).
    /// Either <paramref name="stride"/> is a multiple of 8 (groups of 8 rows, the last one partial) or there is a single
    /// group of at most 8 rows: then each 8-wide store spills past the sliver's row into the next depth step's first
    /// lanes, which the following store overwrites, and the destination needs 8 floats of slack after its end.
    /// Lanes past <paramref name="rows"/> are not zero; the micro-kernels' results there are never stored.
    /// </summary>
    private static unsafe void PackTransposed(float* src, long ld, int rows, int kc, float* dst, int stride, float scale)
    {
        int p = 0;
        for (; p <= kc - 8; p += 8)
            for (int i = 0; i < rows; i += 8)
                Transpose8x8(src + i * ld + p, ld, Math.Min(8, rows - i), dst + (long)p * stride + i, stride, scale);
        for (; p < kc; p++)
            for (int i = 0; i < rows; i++) dst[(long)p * stride + i] = scale * src[i * ld + p];
    }
}
