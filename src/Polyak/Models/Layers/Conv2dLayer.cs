using System.Numerics.Tensors;
using Polyak.Numerics;

namespace Polyak.Models.Layers;

/// <summary>
/// 2-D convolution (cross-correlation) with square kernels, stride and zero padding, on spatial tensors
/// <c>[C, B, H, W]</c> to <c>[F, B, OH, OW]</c>, lowered to one GEMM per pass over the whole batch with im2col.
/// Parameters: W as <c>[F, C, K, K]</c>, then b <c>[F]</c>.
/// </summary>
public sealed class Conv2dLayer : Layer
{
    /// <summary>Creates a convolution with <paramref name="filters"/> output channels.</summary>
    public Conv2dLayer(int filters, int kernel, int stride = 1, int padding = 0)
    {
        if (filters < 1) throw new ArgumentOutOfRangeException(nameof(filters), $"conv: needs >= 1 filter, got {filters}");
        if (kernel < 1) throw new ArgumentOutOfRangeException(nameof(kernel), $"conv: kernel size must be >= 1, got {kernel}");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"conv: stride must be >= 1, got {stride}");
        if (padding < 0 || padding >= kernel) throw new ArgumentOutOfRangeException(nameof(padding), $"conv: padding must be in [0, kernel), got {padding}");
        Filters = filters;
        Kernel = kernel;
        Stride = stride;
        Padding = padding;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel side.</summary>
    public int Kernel { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; }

    private int ColumnRows => Input.Channels * Kernel * Kernel;

    private int PlaneOut => Output.Height * Output.Width;

    /// <inheritdoc/>
    public override string Token => $"conv{Filters}k{Kernel}" + (Stride != 1 ? $"s{Stride}" : "") + (Padding != 0 ? $"p{Padding}" : "");

    /// <inheritdoc/>
    public override int ParameterCount => Filters * ColumnRows + Filters;

    /// <inheritdoc/>
    protected override TensorShape ComputeOutput(TensorShape input)
    {
        if (!input.Spatial) throw new ArgumentException($"{Token}: needs a [C,H,W] image input, got flat {input}");
        int oh = Im2Col.OutputSize(input.Height, Kernel, Stride, Padding), ow = Im2Col.OutputSize(input.Width, Kernel, Stride, Padding);
        if (oh < 1 || ow < 1) throw new ArgumentException($"{Token}: kernel {Kernel} does not fit input {input} with padding {Padding}");
        return new TensorShape(Filters, oh, ow, true);
    }

    /// <inheritdoc/>
    public override void Initialize(Span<float> w, RandomStream random, bool relu)
    {
        int n = Filters * ColumnRows;
        if (relu) Initialization.He(w[..n], ColumnRows, random);
        else Initialization.Glorot(w[..n], ColumnRows, Filters * Kernel * Kernel, random);
        w[n..].Clear();
    }

    /// <inheritdoc/>
    public override LayerState? CreateState(int maxBatch, ulong seed) => new State(ColumnRows * (long)maxBatch * PlaneOut);

    /// <inheritdoc/>
    public override long SharedScratch(int maxBatch) => ColumnRows * (long)maxBatch * PlaneOut;

    /// <inheritdoc/>
    public override void Forward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y)
    {
        int b = pass.Batch, rows = ColumnRows, p = b * PlaneOut;
        var col = ((State)pass.State!).Columns.AsSpan(0, rows * p);
        Im2Col.ImageToColumns(x, Input.Channels, b, Input.Height, Input.Width, Kernel, Kernel, Stride, Padding, col);
        Gemm.Multiply(false, false, Filters, p, rows, 1f, w, rows, col, p, 0f, y, p, pass.Threads);
        var bias = w.Slice(Filters * rows, Filters);
        for (int f = 0; f < Filters; f++)
        {
            var row = y.Slice(f * p, p);
            TensorPrimitives.Add(row, bias[f], row);
        }
    }

    /// <inheritdoc/>
    public override void Backward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw, bool needInputGradient)
    {
        int b = pass.Batch, rows = ColumnRows, p = b * PlaneOut;
        var col = ((State)pass.State!).Columns.AsSpan(0, rows * p);
        // dW[F, rows] = dy[F, p] col^T[p, rows]
        Gemm.Multiply(false, true, Filters, rows, p, 1f, dy, p, col, p, 0f, dw, rows, pass.Threads);
        for (int f = 0; f < Filters; f++) dw[Filters * rows + f] = TensorPrimitives.Sum(dy.Slice(f * p, p));
        if (!needInputGradient) return;
        // dcol[rows, p] = W^T[rows, F] dy[F, p], then scatter back to the image
        var dcol = pass.Shared[..(rows * p)];
        Gemm.Multiply(true, false, rows, p, Filters, 1f, w, rows, dy, p, 0f, dcol, p, pass.Threads);
        Im2Col.ColumnsToImage(dcol, Input.Channels, b, Input.Height, Input.Width, Kernel, Kernel, Stride, Padding, dx);
    }

    private sealed class State(long columns) : LayerState
    {
        public readonly float[] Columns = new float[columns];
    }
}
