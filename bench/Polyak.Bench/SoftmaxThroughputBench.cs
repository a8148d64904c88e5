using Polyak.Execution;
using Polyak.Training;

namespace Polyak.Bench;

/// <summary>
/// Softmax regression (784 -> 10, batch 64) training throughput on synthetic data of MNIST shape, through the
/// full threads backend (parameter server, momentum, sampling), with 1 and 2 asynchronous workers.
/// </summary>
public sealed class SoftmaxThroughputBench : IBenchmarkSuite
{
    public string Name => "softmax";

    public string Description => "softmax regression 784->10, batch 64: samples/s with 1 and 2 async workers (threads backend)";

    public int Run(string[] args)
    {
        int repeats = args.Length > 0 ? int.Parse(args[0]) : 5;
        var o = new TrainingOptions
        {
            Data = "synthetic:mixture,dim=784,n=20000,test=1000",
            Model = "softmax",
            Batch = 64,
            LearningRate = 0.05,
            Momentum = 0.9,
            Updates = 6000,
            EvalEvery = 1_000_000, // no periodic evaluation: measure training only
            EvalSize = 100,
        };
        var data = RunPlanner.LoadData(o);
        Console.WriteLine("softmax regression 784 -> 10, batch 64, momentum 0.9, 6000 updates per run, median of " + repeats);
        Console.WriteLine("| workers | groups | samples/s (median) | min | max | us/update |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (int workers in new[] { 1, 2 })
        {
            var rates = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var result = new Trainer().Run(o with { Workers = workers, Groups = workers, Seed = (ulong)r + 1 }, default, data);
                rates.Add(result.Record.Summary.SamplesPerSecond);
            }
            rates.Sort();
            double median = rates[rates.Count / 2];
            Console.WriteLine($"| {workers} | {workers} | {median:N0} | {rates[0]:N0} | {rates[^1]:N0} | {64 / median * 1e6:F1} |");
        }
        return 0;
    }
}
