using Polyak.Numerics;

namespace Polyak.Models.Layers;

/// <summary>
/// One layer of a <see cref="Network"/>: a forward map from a batch of inputs to a batch of outputs and its backward
/// map (input gradient and parameter gradient), reading its parameters from a slice of the flat parameter vector.
/// Per-worker memory (saved masks, im2col buffers, random streams) lives in a <see cref="LayerState"/>.
/// </summary>
public abstract class Layer
{
    /// <summary>Shape of one input sample.</summary>
    public TensorShape Input { get; private set; }

    /// <summary>Shape of one output sample.</summary>
    public TensorShape Output { get; private set; }

    /// <summary>Number of parameters this layer owns.</summary>
    public virtual int ParameterCount => 0;

    /// <summary>The spec token of this layer, e.g. <c>conv32k5</c>.</summary>
    public abstract string Token { get; }

    /// <summary>Fixes the input shape; returns the output shape or throws naming the problem.</summary>
    public TensorShape Bind(TensorShape input)
    {
        Input = input;
        Output = ComputeOutput(input);
        return Output;
    }

    /// <summary>Output shape for an input shape; throws <see cref="ArgumentException"/> when the input does not fit.</summary>
    protected abstract TensorShape ComputeOutput(TensorShape input);

    /// <summary>Writes initial parameters into this layer's slice; <paramref name="relu"/> says a ReLU follows (He init).</summary>
    public virtual void Initialize(Span<float> w, RandomStream random, bool relu)
    {
    }

    /// <summary>Creates this layer's per-worker state for batches of up to <paramref name="maxBatch"/> samples.</summary>
    public virtual LayerState? CreateState(int maxBatch, ulong seed) => null;

    /// <summary>Floats of scratch shared by all layers of one workspace (e.g. the column-gradient buffer of a convolution).</summary>
    public virtual long SharedScratch(int maxBatch) => 0;

    /// <summary>Bytes <see cref="CreateState"/> allocates for <paramref name="maxBatch"/> samples (without allocating them).</summary>
    public virtual long StateBytes(int maxBatch) => 0;

    /// <summary>The largest count a parameter vector, an activation or a scratch buffer may hold (one .NET array).</summary>
    public static long MaxValues => Array.MaxLength;

    /// <summary>Computes <paramref name="y"/> from <paramref name="x"/> for the <see cref="LayerPass.Batch"/> samples of <paramref name="pass"/>.</summary>
    public abstract void Forward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y);

    /// <summary>
    /// From the output gradient <paramref name="dy"/> writes the parameter gradient <paramref name="dw"/> (overwriting this
    /// layer's slice) and, when <paramref name="needInputGradient"/>, the input gradient <paramref name="dx"/>.
    /// <paramref name="x"/> and <paramref name="y"/> are the values of the matching forward pass.
    /// </summary>
    public abstract void Backward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw, bool needInputGradient);
}
