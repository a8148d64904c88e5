using System.Globalization;
using System.Text.Json;
using Polyak.Execution;
using Polyak.Training;

namespace Polyak.Bench;

/// <summary>
/// Simulator overhead: wall-clock updates/s of the simulated backend with 32 asynchronous workers against the threads
/// backend with 1 worker, both training softmax regression 784 -> 10 with batch 64 (same gradient work per update).
/// A ratio near 1 means the simulation costs little beyond the gradients; above 1 it uses the second core.
/// Args: [--updates K] [--repeats R] [--workers N].
/// </summary>
public sealed class SimulatorSuite : IBenchmarkSuite
{
    /// <inheritdoc/>
    public string Name => "simulator";

    /// <inheritdoc/>
    public string Description => "simulated updates/s (softmax 784->10, B=64, 32 workers) vs threads with 1 worker";

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        long updates = 4000;
        int repeats = 3, workers = 32;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--updates": updates = long.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--repeats": repeats = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--workers": workers = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown argument '{args[i]}'"); return 2;
            }
        }
        var baseOptions = new TrainingOptions
        {
            Data = "synthetic:mixture,dim=784,classes=10,n=20000,test=1000",
            Model = "softmax",
            Batch = 64,
            LearningRate = 0.1,
            Updates = updates,
            EvalEvery = int.MaxValue,
            EvalSize = 100,
            Seed = 1,
        };
        Console.WriteLine("loading data (synthetic 784 features, 10 classes)...");
        var data = RunPlanner.LoadData(baseOptions);
        var trainer = new Trainer();
        BackendCatalog.Register("simulated-serial", () => new SimulatedBackend(maxParallelism: 1));
        var configs = new[]
        {
            baseOptions with { Backend = "threads", Workers = 1 },
            baseOptions with { Backend = "simulated", Workers = workers },
            baseOptions with { Backend = "simulated-serial", Workers = workers },
        };
        foreach (var o in configs) trainer.Run(o with { Updates = Math.Min(500, updates) }, default, data); // warm-up (JIT)
        // Round-robin repeats so that load drift on a shared machine hits every configuration alike; report medians.
        var rates = configs.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < repeats; r++)
            for (int c = 0; c < configs.Length; c++) rates[c].Add(trainer.Run(configs[c], default, data).Record.Summary.UpdatesPerSecond);
        double Median(List<double> x) { x.Sort(); return x[x.Count / 2]; }
        double threads = Median(rates[0]), simulated = Median(rates[1]), serial = Median(rates[2]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"threads,   1 worker          : {threads,10:N0} updates/s (median of {repeats})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"simulated, {workers} workers        : {simulated,10:N0} updates/s ({Environment.ProcessorCount} cores)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"simulated, {workers} workers, 1 thread: {serial,10:N0} updates/s (simulator overhead alone: ratio {serial / threads:F2})"));
        double ratio = simulated / threads;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio simulated / threads = {ratio:F2}"));
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["suite"] = Name,
            ["updates"] = updates,
            ["workers"] = workers,
            ["threads_updates_per_second"] = threads,
            ["simulated_updates_per_second"] = simulated,
            ["simulated_one_thread_updates_per_second"] = serial,
            ["ratio"] = ratio,
            ["cores"] = Environment.ProcessorCount,
        }, Json.Compact));
        return 0;
    }
}
