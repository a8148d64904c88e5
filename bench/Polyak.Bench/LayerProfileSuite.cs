using System.Diagnostics;
using System.Globalization;
using Polyak.Data;
using Polyak.Models;
using Polyak.Models.Layers;

namespace Polyak.Bench;

/// <summary>Per-layer forward and backward time of a network at batch 64 (where the time of a step goes).</summary>
public sealed class LayerProfileSuite : IBenchmarkSuite
{
    /// <inheritdoc/>
    public string Name => "nn-layers";

    /// <inheritdoc/>
    public string Description => "per-layer forward/backward milliseconds per batch of 64, best of N (args: [model] [repetitions])";

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        string name = args.Length > 0 ? args[0] : "lenet";
        int reps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        string data = name == "cifar" ? "synthetic:images,channels=3,size=32,n=256,test=10" : "synthetic:images,n=256,test=10";
        var (train, _, _) = SyntheticData.Generate(data, 1);
        var net = (Network)ModelCatalog.Create(name, train);
        const int batch = 64;
        var w = new float[net.ParameterCount];
        net.Initialize(w, 1);
        var layers = net.Layers;
        var acts = new float[layers.Count + 1][];
        acts[0] = new float[batch * net.InputShape.Size];
        for (int i = 0; i < train.FeatureCount * batch && i < acts[0].Length; i++) acts[0][i] = train.Features[i];
        var states = new LayerState?[layers.Count];
        long shared = 0, maxAct = acts[0].Length;
        for (int i = 0; i < layers.Count; i++)
        {
            acts[i + 1] = new float[batch * layers[i].Output.Size];
            maxAct = Math.Max(maxAct, acts[i + 1].Length);
            states[i] = layers[i].CreateState(batch, 1);
            shared = Math.Max(shared, layers[i].SharedScratch(batch));
        }
        var sharedBuf = new float[shared];
        var dy = new float[maxAct];
        var dx = new float[maxAct];
        var g = new float[w.Length];
        var fwd = Enumerable.Repeat(double.MaxValue, layers.Count).ToArray();
        var bwd = Enumerable.Repeat(double.MaxValue, layers.Count).ToArray();
        for (int r = 0; r < reps + 2; r++)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                long t = Stopwatch.GetTimestamp();
                layers[i].Forward(new LayerPass(batch, true, states[i], sharedBuf, 1), w.AsSpan(net.ParameterOffset(i), layers[i].ParameterCount), acts[i], acts[i + 1]);
                if (r >= 2) fwd[i] = Math.Min(fwd[i], Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
            for (int i = layers.Count - 1; i >= 0; i--)
            {
                long t = Stopwatch.GetTimestamp();
                layers[i].Backward(new LayerPass(batch, true, states[i], sharedBuf, 1), w.AsSpan(net.ParameterOffset(i), layers[i].ParameterCount),
                    acts[i], acts[i + 1], dy, dx, g.AsSpan(net.ParameterOffset(i), layers[i].ParameterCount), i > 0);
                if (r >= 2) bwd[i] = Math.Min(bwd[i], Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }
        Console.WriteLine($"{name}: {net.Spec}, batch {batch}, best of {reps} passes per layer (machine shared)");
        Console.WriteLine($"{"layer",-14} {"output",-14} {"forward ms",11} {"backward ms",12}");
        for (int i = 0; i < layers.Count; i++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{layers[i].Token,-14} {layers[i].Output.ToString(),-14} {fwd[i],11:F3} {bwd[i],12:F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",-29} {fwd.Sum(),11:F3} {bwd.Sum(),12:F3}"));
        return 0;
    }
}
