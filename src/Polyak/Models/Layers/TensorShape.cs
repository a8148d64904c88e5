namespace Polyak.Models.Layers;

/// <summary>
/// Per-sample shape of an activation: <c>Channels x Height x Width</c>. A tensor is either <em>spatial</em>, stored for a
/// batch of B samples channel-major as <c>[C, B, H, W]</c> (so a convolution is one GEMM over the whole batch), or
/// <em>flat</em>, stored row-major as <c>[B, C*H*W]</c> (so a dense layer is one GEMM).
/// </summary>
public readonly record struct TensorShape(int Channels, int Height, int Width, bool Spatial)
{
    /// <summary>Values per sample.</summary>
    public int Size => Channels * Height * Width;

    /// <summary>A flat shape of <paramref name="features"/> values.</summary>
    public static TensorShape Flat(int features) => new(features, 1, 1, false);

    /// <inheritdoc/>
    public override string ToString() => Spatial ? $"[{Channels}x{Height}x{Width}]" : $"[{Size}]";
}
