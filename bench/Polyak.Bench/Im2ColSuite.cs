using System.Diagnostics;
using System.Globalization;
using Polyak.Numerics;

namespace Polyak.Bench;

/// <summary>im2col / col2im throughput on the LeNet convolution shapes (batch 64).</summary>
public sealed class Im2ColSuite : IBenchmarkSuite
{
    /// <inheritdoc/>
    public string Name => "im2col";

    /// <inheritdoc/>
    public string Description => "milliseconds per batch of 64 for im2col and col2im on the lenet conv shapes";

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        foreach (var (name, c, h, k) in new[] { ("conv1 1x28x28 k5", 1, 28, 5), ("conv2 32x12x12 k5", 32, 12, 5) })
        {
            int b = 64, o = h - k + 1;
            var x = new float[c * b * h * h];
            var col = new float[c * k * k * b * o * o];
            double t1 = Time(() => Im2Col.ImageToColumns(x, c, b, h, h, k, k, 1, 0, col));
            double t2 = Time(() => Im2Col.ColumnsToImage(col, c, b, h, h, k, k, 1, 0, x));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} im2col {t1,8:F3} ms   col2im {t2,8:F3} ms   ({col.Length * 4 / 1e6:F1} MB of columns)"));
        }
        return 0;
    }

    private static double Time(Action a)
    {
        for (int i = 0; i < 3; i++) a();
        double best = double.MaxValue;
        for (int i = 0; i < 20; i++)
        {
            long t = Stopwatch.GetTimestamp();
            a();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        return best;
    }
}
