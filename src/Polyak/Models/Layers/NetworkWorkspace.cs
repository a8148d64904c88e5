using System.Numerics.Tensors;
using Polyak.Data;
using Polyak.Numerics;

namespace Polyak.Models.Layers;

/// <summary>Per-worker memory of a <see cref="Network"/>: activations of every layer, two gradient buffers, layer states, shared scratch.</summary>
public sealed class NetworkWorkspace : ModelWorkspace
{
    internal NetworkWorkspace(Network owner, int maxBatch, ulong seed) : base(maxBatch)
    {
        Owner = owner;
        var layers = owner.Layers;
        Activations = new float[layers.Count + 1][];
        States = new LayerState?[layers.Count];
        Activations[0] = new float[(long)maxBatch * owner.InputShape.Size];
        long maxActivation = Activations[0].Length, shared = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            Activations[i + 1] = new float[(long)maxBatch * layers[i].Output.Size];
            maxActivation = Math.Max(maxActivation, Activations[i + 1].Length);
            States[i] = layers[i].CreateState(maxBatch, RandomStream.DeriveSeed(seed, 0xD0, (ulong)i));
            shared = Math.Max(shared, layers[i].SharedScratch(maxBatch));
        }
        GradientA = new float[maxActivation];
        GradientB = new float[maxActivation];
        Shared = new float[shared];
    }

    internal Network Owner { get; }

    internal float[][] Activations { get; }

    internal LayerState?[] States { get; }

    internal float[] GradientA { get; }

    internal float[] GradientB { get; }

    internal float[] Shared { get; }
}
