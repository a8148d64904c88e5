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
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + ld);
        var r2 = Avx.LoadVector256(src + 2 * ld);
        var r3 = Avx.LoadVector256(src + 3 * ld);
        var r4 = Avx.LoadVector256(src + 4 * ld);
        var r5 = Avx.LoadVector256(src + 5 * ld);
        var r6 = Avx.LoadVector256(src + 6 * ld);
        var r7 = Avx.LoadVector256(src + 7 * ld);
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
    /// Packs <paramref name="rows"/> (a multiple of 8) rows of a row-major operand, columns [0, kc), into a depth-major
    /// sliver <c>dst[p * stride + i] = scale * src[i * ld + p]</c> with 8 x 8 register transposes; the depth tail is scalar.
    /// </summary>
    private static unsafe void PackTransposed(float* src, long ld, int rows, int kc, float* dst, int stride, float scale)
    {
        int p = 0;
        for (; p <= kc - 8; p += 8)
            for (int i = 0; i < rows; i += 8)
                Transpose8x8(src + i * ld + p, ld, dst + (long)p * stride + i, stride, scale);
        for (; p < kc; p++)
            for (int i = 0; i < rows; i++) dst[(long)p * stride + i] = scale * src[i * ld + p];
    }
}
