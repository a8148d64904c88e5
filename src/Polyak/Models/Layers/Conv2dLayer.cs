using System.Numerics.Tensors;
using Polyak.Numerics;

namespace Polyak.Models.Layers;

/// <summary>
/// 2-D convolution (cross-correlation) with square kernels, stride and zero padding, on spatial tensors
/// <c>[C, B, H, W]</c> to <c>[F, B, OH, OW]</c>, lowered to GEMMs with im2col over chunks of samples whose column matrix fits in L2.
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
        long outputs = (long)Filters * oh * ow, parameters = (long)Filters * input.Channels * Kernel * Kernel + Filters;
        if (outputs > MaxValues) throw new ArgumentException($"{Token}: {outputs:N0} output values per sample on input {input}, more than an array holds ({MaxValues:N0})");
        if (parameters > MaxValues) throw new ArgumentException($"{Token}: {parameters:N0} parameters on input {input}, more than a parameter vector holds ({MaxValues:N0})");
        long columns = (long)input.Channels * Kernel * Kernel * oh * ow;
        if (columns > MaxValues) throw new ArgumentException($"{Token}: the column matrix of one sample holds {columns:N0} values on input {input}, more than an array holds ({MaxValues:N0})");
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

    /// <summary>Target size in floats of one chunk of the column matrix: small enough to stay in L2 between im2col and GEMM.</summary>
    internal int ChunkFloats { get; init; } = 192 * 1024;

    /// <summary>Samples per chunk for this layer (the batch is processed chunk by chunk so the column matrix stays in cache).</summary>
    private int ChunkSamples(int batch) => Math.Clamp(ChunkFloats / (ColumnRows * PlaneOut), 1, batch);

    /// <inheritdoc/>
    public override long SharedScratch(int maxBatch) => ColumnRows * (long)ChunkSamples(maxBatch) * PlaneOut;

    /// <inheritdoc/>
    public override void Forward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y)
    {
        int b = pass.Batch, rows = ColumnRows, plane = PlaneOut, p = b * plane, chunk = ChunkSamples(b);
        for (int s0 = 0; s0 < b; s0 += chunk)
        {
            if (s0 > 0) pass.Cancellation.ThrowIfCancellationRequested();
            int n = Math.Min(chunk, b - s0), cols = n * plane;
            var col = pass.Shared[..(rows * cols)];
            Im2Col.ImageToColumns(x, Input.Channels, b, s0, n, Input.Height, Input.Width, Kernel, Kernel, Stride, Padding, col);
            // y[:, s0 block] = W[F, rows] col[rows, cols]
            Gemm.Multiply(false, false, Filters, cols, rows, 1f, w, rows, col, cols, 0f, y[(s0 * plane)..], p, pass.Threads);
        }
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
        int b = pass.Batch, rows = ColumnRows, plane = PlaneOut, p = b * plane, chunk = ChunkSamples(b);
        for (int s0 = 0; s0 < b; s0 += chunk)
        {
            if (s0 > 0) pass.Cancellation.ThrowIfCancellationRequested();
            int n = Math.Min(chunk, b - s0), cols = n * plane;
            var col = pass.Shared[..(rows * cols)];
            Im2Col.ImageToColumns(x, Input.Channels, b, s0, n, Input.Height, Input.Width, Kernel, Kernel, Stride, Padding, col);
            // dW[F, rows] (+)= dy[:, s0 block] col^T
            Gemm.Multiply(false, true, Filters, rows, cols, 1f, dy[(s0 * plane)..], p, col, cols, s0 == 0 ? 0f : 1f, dw, rows, pass.Threads);
            if (!needInputGradient) continue;
            // dcol[rows, cols] = W^T[rows, F] dy[:, s0 block], then scatter back to the chunk's image planes (reusing the buffer)
            Gemm.Multiply(true, false, rows, cols, Filters, 1f, w, rows, dy[(s0 * plane)..], p, 0f, col, cols, pass.Threads);
            Im2Col.ColumnsToImage(col, Input.Channels, b, s0, n, Input.Height, Input.Width, Kernel, Kernel, Stride, Padding, dx);
        }
        for (int f = 0; f < Filters; f++) dw[Filters * rows + f] = TensorPrimitives.Sum(dy.Slice(f * p, p));
    }
}
