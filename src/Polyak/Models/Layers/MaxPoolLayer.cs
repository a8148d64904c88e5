namespace Polyak.Models.Layers;

/// <summary>Max pooling over square windows (no padding, windows that do not fit are dropped) on spatial tensors.</summary>
public sealed class MaxPoolLayer : Layer
{
    /// <summary>Creates a max pool with window <paramref name="size"/> and stride <paramref name="stride"/> (default: the window).</summary>
    public MaxPoolLayer(int size, int? stride = null)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), $"pool: window must be >= 1, got {size}");
        Size = size;
        Stride = stride ?? size;
        if (Stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"pool: stride must be >= 1, got {Stride}");
    }

    /// <summary>Window side.</summary>
    public int Size { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <inheritdoc/>
    public override string Token => $"pool{Size}" + (Stride != Size ? $"s{Stride}" : "");

    /// <inheritdoc/>
    protected override TensorShape ComputeOutput(TensorShape input)
    {
        if (!input.Spatial) throw new ArgumentException($"{Token}: needs a [C,H,W] image input, got flat {input}");
        int oh = (input.Height - Size) / Stride + 1, ow = (input.Width - Size) / Stride + 1;
        if (input.Height < Size || input.Width < Size) throw new ArgumentException($"{Token}: window {Size} larger than input {input}");
        return new TensorShape(input.Channels, oh, ow, true);
    }

    /// <inheritdoc/>
    public override LayerState? CreateState(int maxBatch, ulong seed) => new State((long)maxBatch * Output.Size);

    /// <inheritdoc/>
    public override void Forward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y)
    {
        var argmax = ((State)pass.State!).ArgMax;
        int planes = Input.Channels * pass.Batch;
        int h = Input.Height, wd = Input.Width, oh = Output.Height, ow = Output.Width, k = Size, s = Stride;
        int o = 0;
        for (int pl = 0; pl < planes; pl++)
        {
            int inBase = pl * h * wd;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++, o++)
                {
                    int best = inBase + oy * s * wd + ox * s;
                    float bv = x[best];
                    for (int i = 0; i < k; i++)
                    {
                        int rowStart = inBase + (oy * s + i) * wd + ox * s;
                        for (int j = 0; j < k; j++)
                        {
                            float v = x[rowStart + j];
                            if (v > bv)
                            {
                                bv = v;
                                best = rowStart + j;
                            }
                        }
                    }
                    y[o] = bv;
                    argmax[o] = best;
                }
        }
    }

    /// <inheritdoc/>
    public override void Backward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw, bool needInputGradient)
    {
        if (!needInputGradient) return;
        var argmax = ((State)pass.State!).ArgMax;
        int n = pass.Batch * Output.Size;
        dx[..(pass.Batch * Input.Size)].Clear();
        for (int o = 0; o < n; o++) dx[argmax[o]] += dy[o];
    }

    private sealed class State(long size) : LayerState
    {
        public readonly int[] ArgMax = new int[size];
    }
}
