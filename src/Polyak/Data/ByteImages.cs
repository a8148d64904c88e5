using System.Numerics;

namespace Polyak.Data;

/// <summary>Turns unsigned-byte images (channel-major, <c>[C, H, W]</c> per image) into float datasets.</summary>
public static class ByteImages
{
    /// <summary>Parses a normalisation name (<c>unit</c> or <c>standard</c>).</summary>
    public static PixelNormalization ParseNormalization(string text, string spec) => text.ToLowerInvariant() switch
    {
        "unit" or "01" or "none" => PixelNormalization.Unit,
        "standard" or "std" or "standardize" or "standardise" => PixelNormalization.Standard,
        _ => throw new ArgumentException($"data '{spec}': norm={text} is not one of unit, standard"),
    };

    /// <summary>
    /// The affine map <c>feature = scale_c * byte + offset_c</c> of each channel. For <see cref="PixelNormalization.Standard"/>
    /// the statistics come from <paramref name="trainPixels"/> (channel-major images, planes of <paramref name="planeSize"/>).
    /// </summary>
    public static (float Scale, float Offset)[] Affine(PixelNormalization norm, ReadOnlySpan<byte> trainPixels, int channels, int planeSize)
    {
        var maps = new (float, float)[channels];
        if (norm == PixelNormalization.Unit)
        {
            Array.Fill(maps, (1f / 255f, 0f));
            return maps;
        }
        var (mean, std) = ChannelStatistics(trainPixels, channels, planeSize);
        for (int c = 0; c < channels; c++)
        {
            double s = std[c] > 1e-12 ? std[c] : 1;
            maps[c] = ((float)(1 / (255 * s)), (float)(-mean[c] / s));
        }
        return maps;
    }

    /// <summary>Per-channel mean and standard deviation (pixels scaled to [0, 1], exact via byte histograms) of channel-major
    /// images with planes of <paramref name="planeSize"/> pixels.</summary>
    public static (double[] Mean, double[] Std) ChannelStatistics(ReadOnlySpan<byte> pixels, int channels, int planeSize)
    {
        var hist = new long[channels, 256];
        for (int start = 0, c = 0; start + planeSize <= pixels.Length; start += planeSize, c = (c + 1) % channels)
            foreach (byte b in pixels.Slice(start, planeSize)) hist[c, b]++;
        return FromHistogram(hist, channels);
    }

    private static (double[], double[]) FromHistogram(long[,] hist, int channels)
    {
        var mean = new double[channels];
        var std = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            double n = 0, s = 0, s2 = 0;
            for (int v = 0; v < 256; v++)
            {
                double x = v / 255.0;
                n += hist[c, v];
                s += hist[c, v] * x;
                s2 += hist[c, v] * x * x;
            }
            mean[c] = n > 0 ? s / n : 0;
            std[c] = n > 0 ? Math.Sqrt(Math.Max(0, s2 / n - mean[c] * mean[c])) : 1;
        }
        return (mean, std);
    }

    /// <summary>Converts one image per label (each of <c>shape</c> bytes) into a classification dataset.</summary>
    public static Dataset ToDataset(string name, ReadOnlySpan<byte> pixels, int[] shape, int[] labels, int classes, (float Scale, float Offset)[] maps)
    {
        int channels = shape[0];
        int imageSize = shape.Aggregate(1, (a, b) => a * b);
        int planeSize = imageSize / channels;
        int count = labels.Length;
        var features = GC.AllocateUninitializedArray<float>(checked(count * imageSize));
        if (channels == 1)
            Convert(pixels[..features.Length], features, maps[0].Scale, maps[0].Offset);
        else
            for (int i = 0; i < count; i++)
                for (int c = 0; c < channels; c++)
                {
                    int off = i * imageSize + c * planeSize;
                    Convert(pixels.Slice(off, planeSize), features.AsSpan(off, planeSize), maps[c].Scale, maps[c].Offset);
                }
        return new Dataset(name, features, imageSize, labels, classes, null, shape);
    }

    /// <summary>dst[k] = scale * src[k] + offset, vectorised (widen bytes to uint, convert, fused multiply-add).</summary>
    public static void Convert(ReadOnlySpan<byte> src, Span<float> dst, float scale, float offset)
    {
        if (dst.Length < src.Length) throw new ArgumentException("destination too short", nameof(dst));
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<float>(scale);
            var vo = new Vector<float>(offset);
            int w = Vector<byte>.Count;
            int f = Vector<float>.Count;
            for (; k + w <= src.Length; k += w)
            {
                Vector.Widen(new Vector<byte>(src.Slice(k, w)), out Vector<ushort> lo, out Vector<ushort> hi);
                Vector.Widen(lo, out Vector<uint> a, out Vector<uint> b);
                Vector.Widen(hi, out Vector<uint> c, out Vector<uint> d);
                (Vector.ConvertToSingle(a) * vs + vo).CopyTo(dst.Slice(k, f));
                (Vector.ConvertToSingle(b) * vs + vo).CopyTo(dst.Slice(k + f, f));
                (Vector.ConvertToSingle(c) * vs + vo).CopyTo(dst.Slice(k + 2 * f, f));
                (Vector.ConvertToSingle(d) * vs + vo).CopyTo(dst.Slice(k + 3 * f, f));
            }
        }
        for (; k < src.Length; k++) dst[k] = scale * src[k] + offset;
    }
}
