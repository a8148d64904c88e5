using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    public override LayerState? CreateState(int maxBatch, ulong seed) => IsTwoByTwo ? null : new State((long)maxBatch * Output.Size);

    /// <summary>The 2x2 stride-2 case has its own kernels and keeps no argmax (backward finds the max again).</summary>
    private bool IsTwoByTwo => Size == 2 && Stride == 2 && Input.Width <= 4096;

    /// <inheritdoc/>
    public override void Forward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y)
    {
        var argmax = ((State?)pass.State)?.ArgMax;
        int planes = Input.Channels * pass.Batch;
        if (x.Length < planes * Input.Height * Input.Width || y.Length < planes * Output.Height * Output.Width)
            throw new ArgumentException($"{Token}: buffers too small for a batch of {pass.Batch}");
        if (IsTwoByTwo) Forward2x2(x, y, planes);
        else ForwardGeneral(x, y, argmax!, planes);
    }

    /// <summary>The common 2x2 stride-2 window: a vector max of the two rows, then a max of adjacent pairs (no argmax kept).</summary>
    private void Forward2x2(ReadOnlySpan<float> x, Span<float> y, int planes)
    {
        int h = Input.Height, wd = Input.Width, oh = Output.Height, ow = Output.Width;
        Span<float> rowMax = stackalloc float[wd];
        ref float rm = ref MemoryMarshal.GetReference(rowMax);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int o = 0;
        for (int pl = 0; pl < planes; pl++)
        {
            int inBase = pl * h * wd;
            for (int oy = 0; oy < oh; oy++, o += ow)
            {
                int r0 = inBase + 2 * oy * wd;
                TensorPrimitives.Max(x.Slice(r0, wd), x.Slice(r0 + wd, wd), rowMax);
                for (int ox = 0; ox < ow; ox++)
                {
                    float a = Unsafe.Add(ref rm, 2 * ox), b = Unsafe.Add(ref rm, 2 * ox + 1);
                    Unsafe.Add(ref ys, o + ox) = b > a ? b : a;
                }
            }
        }
    }

    /// <summary>Backward of the 2x2 stride-2 window: the gradient goes to the first window position equal to the max.</summary>
    private void Backward2x2(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int planes)
    {
        int h = Input.Height, wd = Input.Width, oh = Output.Height, ow = Output.Width;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float dxs = ref MemoryMarshal.GetReference(dx);
        int o = 0;
        for (int pl = 0; pl < planes; pl++)
        {
            int inBase = pl * h * wd;
            for (int oy = 0; oy < oh; oy++)
            {
                int r0 = inBase + 2 * oy * wd, r1 = r0 + wd;
                for (int ox = 0; ox < ow; ox++, o++)
                {
                    float m = y[o];
                    int i0 = r0 + 2 * ox, i1 = r1 + 2 * ox;
                    int at = Unsafe.Add(ref xs, i0) == m ? i0
                        : Unsafe.Add(ref xs, i0 + 1) == m ? i0 + 1
                        : Unsafe.Add(ref xs, i1) == m ? i1 : i1 + 1;
                    Unsafe.Add(ref dxs, at) = dy[o];
                }
            }
        }
    }

    private void ForwardGeneral(ReadOnlySpan<float> x, Span<float> y, int[] argmax, int planes)
    {
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
        dx[..(pass.Batch * Input.Size)].Clear();
        if (IsTwoByTwo)
        {
            Backward2x2(x, y, dy, dx, Input.Channels * pass.Batch);
            return;
        }
        var argmax = ((State)pass.State!).ArgMax;
        int n = pass.Batch * Output.Size;
        for (int o = 0; o < n; o++) dx[argmax[o]] += dy[o];
    }

    private sealed class State(long size) : LayerState
    {
        public readonly int[] ArgMax = new int[size];
    }
}
