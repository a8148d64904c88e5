using System.Diagnostics;
using System.Globalization;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Models.Layers;
using Polyak.Training;

namespace Polyak.Bench;

/// <summary>Training throughput (samples/s) of the mlp and lenet networks, batch 64 (or as given), SGD with momentum.</summary>
public sealed class NetworkSuite : IBenchmarkSuite
{
    /// <inheritdoc/>
    public string Name => "nn";

    /// <inheritdoc/>
    public string Description => "samples/s of mlp and lenet (batch 64, momentum 0.9): raw gradient loop (1 thread, 2-thread GEMM, 2 independent threads) and Trainer with 1 and 2 async workers (args: [seconds] [models] [batch])";

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        string[] models = args.Length > 1 ? args[1].Split(',') : ["mlp", "lenet"];
        int batch = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
        var (train, test, desc) = SyntheticData.Generate("synthetic:images,n=10000,test=500", 1);
        var split = new DataSplit(train, test, DataSplit.ChooseEvalRows(train.Count, 256, 1), desc);
        Console.WriteLine($"data: {desc}; batch {batch}; {Environment.ProcessorCount} logical cores");
        Console.WriteLine($"{"model",-8} {"configuration",-44} {"samples/s",10}");
        foreach (string m in models)
        {
            var model = (Network)ModelCatalog.Create(m, train);
            Print(m, "raw LossAndGradient, 1 thread", RawLoop(model, train, 1, batch, seconds));
            Print(m, "raw LossAndGradient, 1 worker, 2-thread GEMM", RawLoop(model, train, 2, batch, seconds));
            // Two raw loops on two threads, sharing nothing but the data and the machine: the ceiling two workers can
            // reach here, so the gap between it and the 2-worker Trainer row is what the parameter server costs.
            var pair = new double[2];
            Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => pair[i] = RawLoop(model, train, 1, batch, seconds));
            Print(m, "raw LossAndGradient, 2 independent threads", pair[0] + pair[1]);
            foreach (int workers in new[] { 1, 2 })
            {
                var options = new TrainingOptions
                {
                    Model = m, Workers = workers, Batch = batch, LearningRate = 0.01, Momentum = 0.9,
                    TimeSeconds = seconds, EvalSize = 256, EvalEvery = 1_000_000, Seed = 1,
                };
                var result = new Trainer().Run(options, data: split);
                Print(m, $"Trainer threads backend, {workers} async worker(s)", result.Record.Summary.SamplesPerSecond);
            }
        }
        return 0;
    }

    private static void Print(string model, string config, double samplesPerSecond)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model,-8} {config,-44} {samplesPerSecond,10:F0}"));

    /// <summary>Gradient evaluations plus a plain momentum step on one thread, no parameter server.</summary>
    private static double RawLoop(Network template, Dataset data, int gemmThreads, int batch, double seconds)
    {
        var model = new Network(template.Name, template.Spec, data.InputShape, template.ClassCount) { GemmThreads = gemmThreads };
        var w = new float[model.ParameterCount];
        var v = new float[w.Length];
        var g = new float[w.Length];
        model.Initialize(w, 1);
        var ws = model.CreateWorkspace(batch, 1);
        var rows = new int[batch];
        var sampler = new BatchSampler(data.Count, 1, 0);
        void Step()
        {
            sampler.Next(rows);
            model.LossAndGradient(w, data, rows, g, ws);
            System.Numerics.Tensors.TensorPrimitives.Multiply(v, 0.9f, v);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g, -0.01f, v, v);
            System.Numerics.Tensors.TensorPrimitives.Add(w, v, w);
        }
        // warm up past tiered compilation (tier-1 code replaces tier-0 after ~30 calls and a background delay)
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 1.5) Step();
        long steps = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            Step();
            steps++;
        }
        return steps * (double)batch / sw.Elapsed.TotalSeconds;
    }
}
