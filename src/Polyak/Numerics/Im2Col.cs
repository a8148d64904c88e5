using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Polyak.Numerics;

/// <summary>
/// Lowers a 2-D convolution to GEMM. The input is a channel-major batch <c>[C, B, H, W]</c>; the column matrix of samples
/// <c>[b0, b0 + n)</c> has one row per (channel, kernel row, kernel column) and one column per (sample, output row,
/// output column): <c>col[(c*KH + i)*KW + j, ((b - b0)*OH + y)*OW + x] = in[c, b, y*S - P + i, x*S - P + j]</c>
/// (zero outside the image). <c>ColumnsToImage</c> is its adjoint (scatter-add), used for the input gradient.
/// </summary>
public static class Im2Col
{
    /// <summary>Output extent of a convolution or pooling window along one axis.</summary>
    public static int OutputSize(int input, int kernel, int stride, int padding) => (input + 2 * padding - kernel) / stride + 1;

    /// <summary>Fills the column matrix of all <paramref name="batch"/> samples.</summary>
    public static void ImageToColumns(ReadOnlySpan<float> x, int channels, int batch, int height, int width,
        int kh, int kw, int stride, int padding, Span<float> col)
        => ImageToColumns(x, channels, batch, 0, batch, height, width, kh, kw, stride, padding, col);

    /// <summary>Fills the column matrix (<c>C*KH*KW</c> rows of <c>count*OH*OW</c>) of samples [first, first + count).</summary>
    public static void ImageToColumns(ReadOnlySpan<float> x, int channels, int batch, int first, int count, int height, int width,
        int kh, int kw, int stride, int padding, Span<float> col)
    {
        int oh = OutputSize(height, kh, stride, padding), ow = OutputSize(width, kw, stride, padding);
        int p = count * oh * ow;
        CheckSizes(x.Length, channels, batch, first, count, height, width, kh * kw * channels, p, col.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float cs = ref MemoryMarshal.GetReference(col);
        for (int c = 0; c < channels; c++)
            for (int ki = 0; ki < kh; ki++)
                for (int kj = 0; kj < kw; kj++)
                {
                    ref float dst = ref Unsafe.Add(ref cs, (nint)((c * kh + ki) * kw + kj) * p);
                    int lo = Math.Max(0, (padding - kj + stride - 1) / stride);
                    int hi = Math.Min(ow, (width + padding - kj + stride - 1) / stride);
                    if (hi < lo) hi = lo;
                    for (int b = 0; b < count; b++)
                    {
                        nint plane = (nint)(c * batch + first + b) * height;
                        for (int oy = 0; oy < oh; oy++)
                        {
                            ref float d = ref Unsafe.Add(ref dst, (nint)(b * oh + oy) * ow);
                            int iy = oy * stride - padding + ki;
                            if ((uint)iy >= (uint)height)
                            {
                                MemoryMarshal.CreateSpan(ref d, ow).Clear();
                                continue;
                            }
                            ref float src = ref Unsafe.Add(ref xs, (plane + iy) * width);
                            for (int ox = 0; ox < lo; ox++) Unsafe.Add(ref d, ox) = 0;
                            for (int ox = hi; ox < ow; ox++) Unsafe.Add(ref d, ox) = 0;
                            if (stride == 1)
                                CopyShort(ref Unsafe.Add(ref d, lo), ref Unsafe.Add(ref src, lo - padding + kj), hi - lo);
                            else
                                for (int ox = lo; ox < hi; ox++) Unsafe.Add(ref d, ox) = Unsafe.Add(ref src, ox * stride - padding + kj);
                        }
                    }
                }
    }

    /// <summary>Adjoint of <see cref="ImageToColumns(ReadOnlySpan{float},int,int,int,int,int,int,int,int,Span{float})"/> for all samples: overwrites <paramref name="dx"/>.</summary>
    public static void ColumnsToImage(ReadOnlySpan<float> col, int channels, int batch, int height, int width,
        int kh, int kw, int stride, int padding, Span<float> dx)
        => ColumnsToImage(col, channels, batch, 0, batch, height, width, kh, kw, stride, padding, dx);

    /// <summary>
    /// Adjoint of <see cref="ImageToColumns(ReadOnlySpan{float},int,int,int,int,int,int,int,int,Span{float})"/>: overwrites the
    /// planes of samples [first, first + count) of <paramref name="dx"/> with the scatter-sum of <paramref name="col"/>.
    /// </summary>
    public static void ColumnsToImage(ReadOnlySpan<float> col, int channels, int batch, int first, int count, int height, int width,
        int kh, int kw, int stride, int padding, Span<float> dx)
    {
        int oh = OutputSize(height, kh, stride, padding), ow = OutputSize(width, kw, stride, padding);
        int p = count * oh * ow;
        CheckSizes(dx.Length, channels, batch, first, count, height, width, kh * kw * channels, p, col.Length);
        for (int c = 0; c < channels; c++)
            dx.Slice((c * batch + first) * height * width, count * height * width).Clear();
        ref float xs = ref MemoryMarshal.GetReference(dx);
        ref float cs = ref MemoryMarshal.GetReference(col);
        for (int c = 0; c < channels; c++)
            for (int ki = 0; ki < kh; ki++)
                for (int kj = 0; kj < kw; kj++)
                {
                    ref float src = ref Unsafe.Add(ref cs, (nint)((c * kh + ki) * kw + kj) * p);
                    int lo = Math.Max(0, (padding - kj + stride - 1) / stride);
                    int hi = Math.Min(ow, (width + padding - kj + stride - 1) / stride);
                    if (hi <= lo) continue;
                    for (int b = 0; b < count; b++)
                    {
                        nint plane = (nint)(c * batch + first + b) * height;
                        for (int oy = 0; oy < oh; oy++)
                        {
                            int iy = oy * stride - padding + ki;
                            if ((uint)iy >= (uint)height) continue;
                            ref float s = ref Unsafe.Add(ref src, (nint)(b * oh + oy) * ow);
                            ref float d = ref Unsafe.Add(ref xs, (plane + iy) * width);
                            if (stride == 1)
                            {
                                AddInPlace(ref Unsafe.Add(ref d, lo - padding + kj), ref Unsafe.Add(ref s, lo), hi - lo);
                            }
                            else
                                for (int ox = lo; ox < hi; ox++) Unsafe.Add(ref d, ox * stride - padding + kj) += Unsafe.Add(ref s, ox);
                        }
                    }
                }
    }

    /// <summary>
    /// d[0..n) += s[0..n) with 256-bit (else 128-bit) vectors. The rows here are short (8 to 24 values), and
    /// <c>TensorPrimitives.Add</c> was measured here and rejected: its per-call cost made col2im twice as slow
    /// (conv2 32x12x12 k5, batch 64, AMD EPYC Zen 5: median 1.8-2.0 ms inlined vs 3.4-4.0 ms; <c>bench im2col 300</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddInPlace(ref float d, ref float s, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
                (Vector256.LoadUnsafe(ref d, (nuint)i) + Vector256.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        else if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 4; i += 4)
                (Vector128.LoadUnsafe(ref d, (nuint)i) + Vector128.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref d, i) += Unsafe.Add(ref s, i);
    }

    /// <summary>
    /// d[0..n) = s[0..n) with 256-bit (else 128-bit) vectors. The rows are short (8 values for LeNet's conv2, 24 for
    /// conv1) and a memmove call per row cost more than the copy: im2col of conv2 (32x12x12 k5, batch 64) went from
    /// 3.44 ms to 1.44 ms (best of 50) on an AVX2-only AMD EPYC (Zen 3) with this (<c>bench im2col 50</c>, whole batch).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyShort(ref float d, ref float s, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.LoadUnsafe(ref s, (nuint)i).StoreUnsafe(ref d, (nuint)i);
        else if (Vector128.IsHardwareAccelerated)
            for (; i <= n - 4; i += 4) Vector128.LoadUnsafe(ref s, (nuint)i).StoreUnsafe(ref d, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i);
    }

    private static void CheckSizes(int imageLength, int channels, int batch, int first, int count, int height, int width, int rows, int p, int colLength)
    {
        if (first < 0 || count < 0 || first + count > batch)
            throw new ArgumentOutOfRangeException(nameof(first), $"im2col: samples [{first}, {first + count}) outside a batch of {batch}");
        if ((long)channels * batch * height * width > imageLength)
            throw new ArgumentException($"im2col: image span has {imageLength} values, needs {(long)channels * batch * height * width} for [{channels},{batch},{height},{width}]");
        if ((long)rows * p > colLength)
            throw new ArgumentException($"im2col: column span has {colLength} values, needs {(long)rows * p} ({rows} x {p})");
    }
}
