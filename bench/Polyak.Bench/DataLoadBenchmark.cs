using System.Diagnostics;
using Polyak.Data;

namespace Polyak.Bench;

/// <summary>Times loading a data set: the first load (decompress + cache write) and repeated cached loads, wall and CPU.</summary>
public sealed class DataLoadBenchmark : IBenchmarkSuite
{
    public string Name => "data-load";

    public string Description => "load time of --data (default fashion-mnist), no cache / cold / cached; args: [SPEC] [REPEATS] [CACHE_DIR (kept; run twice to time a fresh process's cached load)]";

    public int Run(string[] args)
    {
        string spec = args.Length > 0 ? args[0] : "fashion-mnist";
        int repeats = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        bool keep = args.Length > 2;
        string dir = keep ? args[2] : Path.Combine(Path.GetTempPath(), $"polyak-bench-cache-{Environment.ProcessId}");
        try
        {
            var cache = new DecodedCache(dir);
            if (keep)
                Measure("first load in this process", () => DataCatalog.Load(spec, null, 0.1, 1, cache), cache);
            else
            {
                Measure("no cache (gunzip every time)", () => DataCatalog.Load(spec, null, 0.1, 1, cache: null));
                Measure("cold cache (gunzip + write cache)", () => DataCatalog.Load(spec, null, 0.1, 1, cache));
            }
            for (int i = 0; i < repeats; i++)
                Measure($"cached load {i + 1}", () => DataCatalog.Load(spec, null, 0.1, 1, cache));
        }
        finally
        {
            if (!keep)
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
        return 0;
    }

    private static void Measure(string label, Func<(Dataset Train, Dataset Test, string Description)> load, DecodedCache? cache = null)
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
        Console.WriteLine($"{label,-36} wall {sw.Elapsed.TotalSeconds,7:F3} s   cpu {cpu,7:F3} s   ({train.Count} train + {test.Count} test rows x {train.FeatureCount}){(cache is null ? "" : $", cache {cache.LastOutcome}")}");
    }
}
