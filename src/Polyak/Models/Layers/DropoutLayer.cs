using System.Numerics.Tensors;
using Polyak.Numerics;

namespace Polyak.Models.Layers;

/// <summary>
/// Inverted dropout: in training each value is zeroed with probability p and the survivors scaled by 1/(1-p); identity in
/// inference. The masks of a batch come from a stream seeded by the worker's seed and the batch key
/// (<see cref="LayerPass.Key"/>), so they are a pure function of (run seed, worker, rows): nothing to checkpoint.
/// </summary>
public sealed class DropoutLayer : Layer
{
    /// <summary>Creates a dropout layer with drop probability <paramref name="rate"/> in [0, 1).</summary>
    public DropoutLayer(double rate)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), $"dropout: rate must be in [0, 1), got {rate}");
        Rate = rate;
    }

    /// <summary>Drop probability.</summary>
    public double Rate { get; }

    /// <inheritdoc/>
    public override string Token => $"dropout{Rate.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    protected override TensorShape ComputeOutput(TensorShape input) => input;

    /// <inheritdoc/>
    public override LayerState? CreateState(int maxBatch, ulong seed) => new State((long)maxBatch * Input.Size, seed);

    /// <inheritdoc/>
    public override long StateBytes(int maxBatch) => 4L * maxBatch * Input.Size;

    /// <inheritdoc/>
    public override void Forward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = pass.Batch * Input.Size;
        if (!pass.Training || Rate == 0)
        {
            x[..n].CopyTo(y);
            return;
        }
        var state = (State)pass.State!;
        var mask = state.Mask.AsSpan(0, n);
        float keep = (float)(1 / (1 - Rate));
        ulong threshold = (ulong)(Rate * 4294967296.0);
        var random = state.Random;
        random.Reseed(RandomStream.DeriveSeed(state.Seed, pass.Key));
        for (int i = 0; i < n; i += 2)
        {
            // two 32-bit uniforms per draw
            ulong r = random.NextUInt64();
            mask[i] = (r & 0xFFFFFFFF) < threshold ? 0f : keep;
            if (i + 1 < n) mask[i + 1] = (r >> 32) < threshold ? 0f : keep;
        }
        TensorPrimitives.Multiply(x[..n], mask, y[..n]);
    }

    /// <inheritdoc/>
    public override void Backward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw, bool needInputGradient)
    {
        if (!needInputGradient) return;
        int n = pass.Batch * Input.Size;
        if (!pass.Training || Rate == 0)
        {
            dy[..n].CopyTo(dx);
            return;
        }
        TensorPrimitives.Multiply(dy[..n], ((State)pass.State!).Mask.AsSpan(0, n), dx[..n]);
    }

    private sealed class State(long size, ulong seed) : LayerState
    {
        public readonly float[] Mask = new float[size];
        public readonly ulong Seed = seed;
        public readonly RandomStream Random = new(seed);
    }
}
