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
        int b = pass.Batch, n = In, o = Units;
        var weights = w[..(o * n)];
        var bias = w.Slice(o * n, o);
        Gemm.Multiply(false, true, b, o, n, 1f, x, n, weights, n, 0f, y, o, pass.Threads);
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
        int b = pass.Batch, n = In, o = Units;
        // dW[o, n] = dy^T[o, b] x[b, n]
        Gemm.Multiply(true, false, o, n, b, 1f, dy, o, x, n, 0f, dw, n, pass.Threads);
        var db = dw.Slice(o * n, o);
        dy[..o].CopyTo(db);
        for (int i = 1; i < b; i++) TensorPrimitives.Add(db, dy.Slice(i * o, o), db);
        // dx[b, n] = dy[b, o] W[o, n]
        if (needInputGradient) Gemm.Multiply(false, false, b, n, o, 1f, dy, o, w, n, 0f, dx, n, pass.Threads);
    }
}
