using System.Numerics.Tensors;
using Polyak.Numerics;

namespace Polyak.Models.Layers;

/// <summary>
/// Fully connected layer <c>y = x W^T + b</c> on flat tensors <c>[B, in]</c> to <c>[B, out]</c>.
/// Parameters: W as <c>[out, in]</c> row-major, then b <c>[out]</c>.
/// </summary>
public sealed class DenseLayer : Layer
{
    /// <summary>Creates a dense layer with <paramref name="outputs"/> units.</summary>
    public DenseLayer(int outputs)
    {
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs), $"fc{outputs}: a dense layer needs >= 1 unit");
        Units = outputs;
    }

    /// <summary>Number of output units.</summary>
    public int Units { get; }

    private int In => Input.Size;

    /// <inheritdoc/>
    public override string Token => $"fc{Units}";

    /// <inheritdoc/>
    public override int ParameterCount => Units * In + Units;

    /// <inheritdoc/>
    protected override TensorShape ComputeOutput(TensorShape input)
    {
        if (input.Spatial) throw new ArgumentException($"{Token}: needs a flat input, got {input} (insert 'flatten')");
        long parameters = (long)Units * input.Size + Units;
        if (parameters > MaxValues)
            throw new ArgumentException($"{Token}: {parameters:N0} parameters on an input of {input.Size:N0} values, more than a parameter vector holds ({MaxValues:N0})");
        return TensorShape.Flat(Units);
    }

    /// <inheritdoc/>
    public override void Initialize(Span<float> w, RandomStream random, bool relu)
    {
        var weights = w[..(Units * In)];
        if (relu) Initialization.He(weights, In, random);
        else Initialization.Glorot(weights, In, Units, random);
        w[(Units * In)..].Clear();
    }

    /// <inheritdoc/>
    public override void Forward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y)
    {
        int b = pass.Batch, n = In, o = Units, chunk = RowChunk(b);
        var weights = w[..(o * n)];
        var bias = w.Slice(o * n, o);
        // y[r0 block] = x[r0 block] W^T, a chunk of rows at a time (one GEMM for a usual batch), cancellable between chunks.
        for (int r0 = 0; r0 < b; r0 += chunk)
        {
            if (r0 > 0) pass.Cancellation.ThrowIfCancellationRequested();
            int m = Math.Min(chunk, b - r0);
            Gemm.Multiply(false, true, m, o, n, 1f, x[(r0 * n)..], n, weights, n, 0f, y[(r0 * o)..], o, pass.Threads);
        }
        for (int i = 0; i < b; i++)
        {
            var row = y.Slice(i * o, o);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <inheritdoc/>
    public override void Backward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw, bool needInputGradient)
    {
        int b = pass.Batch, n = In, o = Units, chunk = RowChunk(b);
        // dW[o, n] = dy^T[o, b] x[b, n], accumulated over chunks of rows (one GEMM for a usual batch)
        for (int r0 = 0; r0 < b; r0 += chunk)
        {
            if (r0 > 0) pass.Cancellation.ThrowIfCancellationRequested();
            int m = Math.Min(chunk, b - r0);
            Gemm.Multiply(true, false, o, n, m, 1f, dy[(r0 * o)..], o, x[(r0 * n)..], n, r0 == 0 ? 0f : 1f, dw, n, pass.Threads);
        }
        var db = dw.Slice(o * n, o);
        dy[..o].CopyTo(db);
        for (int i = 1; i < b; i++) TensorPrimitives.Add(db, dy.Slice(i * o, o), db);
        if (!needInputGradient) return;
        // dx[b, n] = dy[b, o] W[o, n]
        for (int r0 = 0; r0 < b; r0 += chunk)
        {
            pass.Cancellation.ThrowIfCancellationRequested();
            int m = Math.Min(chunk, b - r0);
            Gemm.Multiply(false, false, m, n, o, 1f, dy[(r0 * o)..], o, w, n, 0f, dx[(r0 * n)..], n, pass.Threads);
        }
    }

    /// <summary>Multiply-adds of one chunk of rows: about 10-20 ms of one core, so an interruption is honoured quickly.</summary>
    private const long ChunkWork = 1L << 28;

    /// <summary>
    /// Rows per GEMM: the whole batch unless one GEMM over it would be long (a large layer times a large batch), then
    /// chunks of about <see cref="ChunkWork"/> multiply-adds (at least 16 rows) with a cancellation check between them.
    /// </summary>
    private int RowChunk(int batch) => (int)Math.Clamp(ChunkWork / Math.Max(1L, (long)In * Units), Math.Min(16, batch), batch);
}
