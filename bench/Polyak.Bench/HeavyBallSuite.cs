using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using Polyak.Optimization;

namespace Polyak.Bench;

/// <summary>
/// Nanoseconds per <see cref="HeavyBall.Step"/> (one thread, the bare kernel without the parameter server around it)
/// for the softmax (7,850) and MLP (203,530) parameter counts by default: the dispatched path, then each vector width
/// this machine runs in hardware, forced.
/// </summary>
public sealed class HeavyBallSuite : IBenchmarkSuite
{
    /// <inheritdoc/>
    public string Name => "heavyball";

    /// <inheritdoc/>
    public string Description => "median ns per HeavyBall.Step, one thread (args: [d,d,... (default 7850,203530)] [seconds-per-case])";

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        int[] dims = args.Length > 0 ? args[0].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [7_850, 203_530];
        double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2.0;
        Console.WriteLine($"Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}; {seconds} s per case");
        Console.WriteLine("| d | path | median ns/step | min ns/step | GB/s at median (5 streams) |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (int d in dims)
        {
            // One set of vectors per d for every row, so no row gains or loses by where its arrays happen to lie.
            var w = new float[d];
            var v = new float[d];
            var g = new float[d];
            var r = new Random(1);
            for (int i = 0; i < d; i++)
            {
                w[i] = (float)(r.NextDouble() - 0.5);
                g[i] = (float)(r.NextDouble() - 0.5) * 1e-2f;
            }
            var (median, min) = Measure(w, v, g, seconds, (w, v, g) => HeavyBall.Step(w, v, g, 0.9f, 1e-3f, 1e-4f));
            Print(d, $"Step (dispatch: {HeavyBall.DefaultWidth})", median, min);
            foreach (var width in HeavyBall.AvailableWidths)
            {
                (median, min) = Measure(w, v, g, seconds, (w, v, g) => HeavyBall.StepWith(width, w, v, g, 0.9f, 1e-3f, 1e-4f));
                Print(d, $"forced {width}", median, min);
            }
        }
        return 0;
    }

    private static void Print(int d, string path, double median, double min)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {d:N0} | {path} | {median:F0} | {min:F0} | {d * 20.0 / median:F1} |"));

    private delegate void StepFn(Span<float> w, Span<float> v, ReadOnlySpan<float> g);

    /// <summary>
    /// Median and minimum ns per step over samples of enough steps to last about 1 ms each, after a warm-up long enough
    /// for the JIT's tier-1 code to be installed.
    /// </summary>
    private static (double Median, double Min) Measure(float[] w, float[] v, float[] g, double seconds, StepFn step)
    {
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 300) step(w, v, g);
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < 200; i++) step(w, v, g);
        double perStep = Stopwatch.GetElapsedTime(t0).TotalSeconds / 200;
        int reps = Math.Max(1, (int)(1e-3 / Math.Max(perStep, 1e-9)));
        var samples = new List<double>();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds || samples.Count < 11)
        {
            long s = Stopwatch.GetTimestamp();
            for (int i = 0; i < reps; i++) step(w, v, g);
            samples.Add(Stopwatch.GetElapsedTime(s).TotalSeconds * 1e9 / reps);
        }
        samples.Sort();
        return (samples[samples.Count / 2], samples[0]);
    }
}
