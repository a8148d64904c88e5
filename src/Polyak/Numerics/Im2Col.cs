using System.Numerics.Tensors;

namespace Polyak.Numerics;

/// <summary>
/// Lowers a 2-D convolution to one GEMM. The input is a channel-major batch <c>[C, B, H, W]</c>; the column matrix has one
/// row per (channel, kernel row, kernel column) and one column per (sample, output row, output column):
/// <c>col[(c*KH + i)*KW + j, (b*OH + y)*OW + x] = in[c, b, y*S - P + i, x*S - P + j]</c> (zero outside the image).
/// <see cref="ColumnsToImage"/> is its adjoint (scatter-add), used for the input gradient.
/// </summary>
public static class Im2Col
{
    /// <summary>Output extent of a convolution or pooling window along one axis.</summary>
    public static int OutputSize(int input, int kernel, int stride, int padding) => (input + 2 * padding - kernel) / stride + 1;

    /// <summary>Fills the column matrix <paramref name="col"/> (<c>C*KH*KW</c> rows of <c>B*OH*OW</c>) from <paramref name="x"/>.</summary>
    public static void ImageToColumns(ReadOnlySpan<float> x, int channels, int batch, int height, int width,
        int kh, int kw, int stride, int padding, Span<float> col)
    {
        int oh = OutputSize(height, kh, stride, padding), ow = OutputSize(width, kw, stride, padding);
        int p = batch * oh * ow;
        for (int c = 0; c < channels; c++)
            for (int ki = 0; ki < kh; ki++)
                for (int kj = 0; kj < kw; kj++)
                {
                    var dst = col.Slice(((c * kh + ki) * kw + kj) * p, p);
                    int lo = Math.Max(0, (padding - kj + stride - 1) / stride);
                    int hi = Math.Min(ow, (width + padding - kj + stride - 1) / stride);
                    if (hi < lo) hi = lo;
                    for (int b = 0; b < batch; b++)
                    {
                        int plane = (c * batch + b) * height;
                        for (int oy = 0; oy < oh; oy++)
                        {
                            var d = dst.Slice((b * oh + oy) * ow, ow);
                            int iy = oy * stride - padding + ki;
                            if ((uint)iy >= (uint)height)
                            {
                                d.Clear();
                                continue;
                            }
                            var src = x.Slice((plane + iy) * width, width);
                            d[..lo].Clear();
                            d[hi..].Clear();
                            if (stride == 1) src.Slice(lo - padding + kj, hi - lo).CopyTo(d[lo..hi]);
                            else
                                for (int ox = lo; ox < hi; ox++) d[ox] = src[ox * stride - padding + kj];
                        }
                    }
                }
    }

    /// <summary>Adjoint of <see cref="ImageToColumns"/>: overwrites <paramref name="dx"/> with the scatter-sum of <paramref name="col"/>.</summary>
    public static void ColumnsToImage(ReadOnlySpan<float> col, int channels, int batch, int height, int width,
        int kh, int kw, int stride, int padding, Span<float> dx)
    {
        int oh = OutputSize(height, kh, stride, padding), ow = OutputSize(width, kw, stride, padding);
        int p = batch * oh * ow;
        dx[..(channels * batch * height * width)].Clear();
        for (int c = 0; c < channels; c++)
            for (int ki = 0; ki < kh; ki++)
                for (int kj = 0; kj < kw; kj++)
                {
                    var src = col.Slice(((c * kh + ki) * kw + kj) * p, p);
                    int lo = Math.Max(0, (padding - kj + stride - 1) / stride);
                    int hi = Math.Min(ow, (width + padding - kj + stride - 1) / stride);
                    if (hi <= lo) continue;
                    for (int b = 0; b < batch; b++)
                    {
                        int plane = (c * batch + b) * height;
                        for (int oy = 0; oy < oh; oy++)
                        {
                            int iy = oy * stride - padding + ki;
                            if ((uint)iy >= (uint)height) continue;
                            var s = src.Slice((b * oh + oy) * ow, ow);
                            var d = dx.Slice((plane + iy) * width, width);
                            if (stride == 1)
                            {
                                var target = d.Slice(lo - padding + kj, hi - lo);
                                TensorPrimitives.Add(target, s[lo..hi], target);
                            }
                            else
                                for (int ox = lo; ox < hi; ox++) d[ox * stride - padding + kj] += s[ox];
                        }
                    }
                }
    }
}
