using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Polyak.Models.Layers;

/// <summary>Rectified linear unit <c>y = max(x, 0)</c>, elementwise on any layout.</summary>
public sealed class ReluLayer : Layer
{
    /// <inheritdoc/>
    public override string Token => "relu";

    /// <inheritdoc/>
    protected override TensorShape ComputeOutput(TensorShape input) => input;

    /// <inheritdoc/>
    public override void Forward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = pass.Batch * Input.Size;
        TensorPrimitives.Max(x[..n], 0f, y[..n]);
    }

    /// <inheritdoc/>
    public override void Backward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw, bool needInputGradient)
    {
        if (!needInputGradient) return;
        int n = pass.Batch * Input.Size;
        Mask(y[..n], dy[..n], dx[..n]);
    }

    /// <summary>dx = y &gt; 0 ? dy : 0.</summary>
    internal static void Mask(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= y.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var m = Vector512.GreaterThan(Vector512.Create(y.Slice(i, Vector512<float>.Count)), Vector512<float>.Zero);
                (Vector512.Create(dy.Slice(i, Vector512<float>.Count)) & m).CopyTo(dx.Slice(i, Vector512<float>.Count));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= y.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var m = Vector256.GreaterThan(Vector256.Create(y.Slice(i, Vector256<float>.Count)), Vector256<float>.Zero);
                (Vector256.Create(dy.Slice(i, Vector256<float>.Count)) & m).CopyTo(dx.Slice(i, Vector256<float>.Count));
            }
        }
        for (; i < y.Length; i++) dx[i] = y[i] > 0 ? dy[i] : 0f;
    }
}
