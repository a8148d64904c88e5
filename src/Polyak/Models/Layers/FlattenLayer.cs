namespace Polyak.Models.Layers;

/// <summary>Turns a spatial tensor <c>[C, B, H, W]</c> into a flat one <c>[B, C*H*W]</c> (per-sample order c, h, w); identity on flat input.</summary>
public sealed class FlattenLayer : Layer
{
    /// <inheritdoc/>
    public override string Token => "flatten";

    /// <inheritdoc/>
    protected override TensorShape ComputeOutput(TensorShape input) => TensorShape.Flat(input.Size);

    /// <inheritdoc/>
    public override void Forward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y)
    {
        int b = pass.Batch;
        if (!Input.Spatial)
        {
            x[..(b * Input.Size)].CopyTo(y);
            return;
        }
        int c = Input.Channels, hw = Input.Height * Input.Width, size = Input.Size;
        for (int ch = 0; ch < c; ch++)
            for (int s = 0; s < b; s++)
                x.Slice((ch * b + s) * hw, hw).CopyTo(y.Slice(s * size + ch * hw, hw));
    }

    /// <inheritdoc/>
    public override void Backward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw, bool needInputGradient)
    {
        if (!needInputGradient) return;
        int b = pass.Batch;
        if (!Input.Spatial)
        {
            dy[..(b * Input.Size)].CopyTo(dx);
            return;
        }
        int c = Input.Channels, hw = Input.Height * Input.Width, size = Input.Size;
        for (int ch = 0; ch < c; ch++)
            for (int s = 0; s < b; s++)
                dy.Slice(s * size + ch * hw, hw).CopyTo(dx.Slice((ch * b + s) * hw, hw));
    }
}
