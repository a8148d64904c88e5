using Polyak.Numerics;

namespace Polyak.Data;

/// <summary>
/// The <c>synthetic:images</c> generator: image-shaped data <c>[channels, size, size]</c> for the convolutional networks
/// without a download. Each class owns a smooth random template (a sum of Gaussian bumps); a sample is its class
/// template shifted by up to two pixels, scaled by a random contrast, plus pixel noise.
/// Keys: classes (10), channels (1), size (28), n (10000), test (2000), noise (0.5).
/// </summary>
public static class SyntheticImages
{
    /// <summary>Builds train and test sets from parsed options (the keys are removed as they are read).</summary>
    internal static (Dataset Train, Dataset Test, string Description) Generate(string spec, Dictionary<string, double> o, ulong seed)
    {
        int classes = SyntheticData.GetInt(o, "classes", 10, 2, 1000, spec);
        int channels = SyntheticData.GetInt(o, "channels", 1, 1, 64, spec);
        int size = SyntheticData.GetInt(o, "size", 28, 4, 512, spec);
        int n = SyntheticData.GetInt(o, "n", 10_000, 1, 10_000_000, spec);
        int test = SyntheticData.GetInt(o, "test", 2_000, 1, 10_000_000, spec);
        double noise = SyntheticData.GetDouble(o, "noise", 0.5, 0, 100, spec);
        SyntheticData.RejectLeftovers(o, spec, "classes, channels, size, n, test, noise");
        long features = (long)channels * size * size;
        if ((n + (long)test) * features > 400_000_000)
            throw new FormatException($"data '{spec}': {n + test} images of {features} values is too large for a synthetic set");

        var rng = RandomStream.Derive(seed, 0x1A6E, 1);
        int pixels = (int)features;
        var templates = new float[classes * pixels];
        for (int c = 0; c < classes; c++)
        {
            var t = templates.AsSpan(c * pixels, pixels);
            for (int bump = 0; bump < 6; bump++)
            {
                int ch = rng.NextInt(channels);
                double cy = rng.NextDouble() * size, cx = rng.NextDouble() * size;
                double radius = size * (0.08 + 0.12 * rng.NextDouble());
                double sign = rng.NextDouble() < 0.5 ? -1 : 1;
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        double d2 = ((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (radius * radius);
                        t[(ch * size + y) * size + x] += (float)(sign * Math.Exp(-0.5 * d2));
                    }
            }
        }

        Dataset Make(int count, ulong stream, string part)
        {
            var r = RandomStream.Derive(seed, 0x1A6E, stream);
            var xs = new float[count * features];
            var ys = new int[count];
            for (int i = 0; i < count; i++)
            {
                int c = r.NextInt(classes);
                ys[i] = c;
                int dy = r.NextInt(5) - 2, dx = r.NextInt(5) - 2;
                float contrast = (float)(0.7 + 0.6 * r.NextDouble());
                var t = templates.AsSpan(c * pixels, pixels);
                var img = xs.AsSpan((int)(i * features), pixels);
                for (int ch = 0; ch < channels; ch++)
                    for (int y = 0; y < size; y++)
                        for (int x = 0; x < size; x++)
                        {
                            int sy = Math.Clamp(y + dy, 0, size - 1), sx = Math.Clamp(x + dx, 0, size - 1);
                            img[(ch * size + y) * size + x] = contrast * t[(ch * size + sy) * size + sx] + (float)(noise * r.NextGaussian());
                        }
            }
            return new Dataset($"synthetic:images/{part}", xs, pixels, ys, classes, null, [channels, size, size]);
        }
        string desc = $"synthetic images: {classes} classes, [{channels},{size},{size}], {n} train / {test} test images (seed {seed})";
        return (Make(n, 2, "train"), Make(test, 3, "test"), desc);
    }
}
