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
    public string Description => "milliseconds per batch of 64 for im2col and col2im on the lenet conv shapes, best and median (args: [repetitions (default 20)])";

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        int reps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        foreach (var (name, c, h, k) in new[] { ("conv1 1x28x28 k5", 1, 28, 5), ("conv2 32x12x12 k5", 32, 12, 5) })
        {
            int b = 64, o = h - k + 1;
            var x = new float[c * b * h * h];
            var col = new float[c * k * k * b * o * o];
            var (b1, m1) = Time(() => Im2Col.ImageToColumns(x, c, b, h, h, k, k, 1, 0, col), reps);
            var (b2, m2) = Time(() => Im2Col.ColumnsToImage(col, c, b, h, h, k, k, 1, 0, x), reps);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-20} im2col {b1,8:F3} ms (median {m1,7:F3})   col2im {b2,8:F3} ms (median {m2,7:F3})   ({col.Length * 4 / 1e6:F1} MB of columns)"));
        }
        return 0;
    }

    /// <summary>Best and median milliseconds of <paramref name="reps"/> timed calls after three warm-up calls.</summary>
    private static (double Best, double Median) Time(Action a, int reps)
    {
        for (int i = 0; i < 3; i++) a();
        var times = new double[Math.Max(1, reps)];
        for (int i = 0; i < times.Length; i++)
        {
            long t = Stopwatch.GetTimestamp();
            a();
            times[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[0], times[times.Length / 2]);
    }
}
