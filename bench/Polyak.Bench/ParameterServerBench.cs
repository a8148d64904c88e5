using System.Diagnostics;
using Polyak.Execution;
using Polyak.Optimization;

namespace Polyak.Bench;

/// <summary>
/// Parameter-server update throughput for d = 1M parameters, atomic and Hogwild, 1 and 2 pushing threads.
/// Traffic per update = reads of w, v, g and writes of w, v: 5 x 4 bytes per coordinate.
/// Also measures a plain memory copy as this machine's single-stream bandwidth reference.
/// </summary>
public sealed class ParameterServerBench : IBenchmarkSuite
{
    public string Name => "ps";

    public string Description => "parameter-server update throughput (GB/s) for 1M parameters, atomic/hogwild, 1/2 threads";

    public int Run(string[] args)
    {
        int d = args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
        double seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2.0;
        Console.WriteLine($"parameter server, d = {d:N0}, {seconds} s per case, {Environment.ProcessorCount} cores");
        double copy = CopyBandwidth(d * 4, seconds);
        Console.WriteLine($"reference: memcpy of {d * 4 / 1e6:F0} MB -> {copy:F1} GB/s (read+write)");
        Console.WriteLine("| discipline | threads | updates/s | GB/s (5 streams) | median us/update |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var discipline in new[] { UpdateDiscipline.Atomic, UpdateDiscipline.Hogwild })
            foreach (int threads in new[] { 1, 2 })
            {
                var (rate, median) = Measure(d, discipline, threads, seconds);
                double gbs = rate * d * 5.0 * 4 / 1e9;
                Console.WriteLine($"| {discipline.ToString().ToLowerInvariant()} | {threads} | {rate:N0} | {gbs:F1} | {median * 1e6:F0} |");
            }
        return 0;
    }

    private static (double Rate, double Median) Measure(int d, UpdateDiscipline discipline, int threads, double seconds)
    {
        var server = new ParameterServer(new float[d], 0.9, 1e-4, LearningRateSchedule.Constant(1e-3), discipline);
        var grads = Enumerable.Range(0, threads).Select(t => Enumerable.Repeat(1e-3f * (t + 1), d).ToArray()).ToArray();
        // warm up
        for (int i = 0; i < 5; i++) server.Apply(grads[0], server.Version);
        long count = 0;
        var samples = new List<double>[threads];
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var local = samples[t] = [];
            while (sw.Elapsed.TotalSeconds < seconds)
            {
                long start = Stopwatch.GetTimestamp();
                server.Apply(grads[t], server.Version);
                local.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
                Interlocked.Increment(ref count);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        double elapsed = sw.Elapsed.TotalSeconds;
        var all = samples.SelectMany(s => s).OrderBy(x => x).ToList();
        return (count / elapsed, all[all.Count / 2]);
    }

    private static double CopyBandwidth(int bytes, double seconds)
    {
        var a = new byte[bytes];
        var b = new byte[bytes];
        new Random(1).NextBytes(a);
        long n = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds / 2)
        {
            a.AsSpan().CopyTo(b);
            n++;
        }
        return n * 2.0 * bytes / sw.Elapsed.TotalSeconds / 1e9;
    }
}
