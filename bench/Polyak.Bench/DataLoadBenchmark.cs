using System.Diagnostics;
using Polyak.Data;

namespace Polyak.Bench;

/// <summary>Times loading a data set: the first load (decompress + cache write) and repeated cached loads, wall and CPU.</summary>
public sealed class DataLoadBenchmark : IBenchmarkSuite
{
    public string Name => "data-load";

    public string Description => "load time of --data (default fashion-mnist): cold (no cache) then cached; args: [SPEC] [REPEATS]";

    public int Run(string[] args)
    {
        string spec = args.Length > 0 ? args[0] : "fashion-mnist";
        int repeats = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        string dir = Path.Combine(Path.GetTempPath(), $"polyak-bench-cache-{Environment.ProcessId}");
        try
        {
            var cache = new DecodedCache(dir);
            Measure("no cache (gunzip every time)", () => DataCatalog.Load(spec, null, 0.1, 1, cache: null));
            Measure("cold cache (gunzip + write cache)", () => DataCatalog.Load(spec, null, 0.1, 1, cache));
            for (int i = 0; i < repeats; i++)
                Measure($"cached load {i + 1}", () => DataCatalog.Load(spec, null, 0.1, 1, cache));
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
        return 0;
    }

    private static void Measure(string label, Func<(Dataset Train, Dataset Test, string Description)> load)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var (train, test, _) = load();
        sw.Stop();
        proc.Refresh();
        double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
        Console.WriteLine($"{label,-36} wall {sw.Elapsed.TotalSeconds,7:F3} s   cpu {cpu,7:F3} s   ({train.Count} train + {test.Count} test rows x {train.FeatureCount})");
    }
}
