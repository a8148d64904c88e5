using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
    public override LayerState? CreateState(int maxBatch, ulong seed)
        => new State((long)maxBatch * Output.Size, RowPairs(maxBatch));

    /// <inheritdoc/>
    public override long StateBytes(int maxBatch) => 4L * maxBatch * Output.Size + 8L * RowPairs(maxBatch);

    private long RowPairs(int maxBatch) => IsTwoByTwo ? (long)maxBatch * Input.Channels * Output.Height * Input.Width : 0;

    /// <summary>The 2x2 stride-2 window on even widths has a vector kernel (AVX-512 or AVX2; the same results either way).</summary>
    private bool IsTwoByTwo => Size == 2 && Stride == 2 && Input.Width % 2 == 0 && (Runs512 || Avx2.IsSupported);

    private static bool Runs512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <inheritdoc/>
    public override void Forward(in LayerPass pass, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y)
    {
        int planes = Input.Channels * pass.Batch;
        if (x.Length < planes * Input.Height * Input.Width || y.Length < planes * Output.Height * Output.Width)
            throw new ArgumentException($"{Token}: buffers too small for a batch of {pass.Batch}");
        var state = (State)pass.State!;
        if (state.ArgMax.Length < planes * Output.Height * Output.Width
            || (IsTwoByTwo && state.RowMax.Length < planes * Output.Height * Input.Width))
            throw new ArgumentException($"{Token}: a batch of {pass.Batch} exceeds the capacity of this layer state");
        if (IsTwoByTwo) Forward2x2(x, y, state, planes);
        else ForwardGeneral(x, y, state.ArgMax, planes);
    }

    /// <summary>
    /// The common 2x2 stride-2 window with AVX-512 or AVX2: a vertical max of each row pair (with the winner's input index)
    /// into scratch, then one long pass taking the max of adjacent pairs with permutes (two-source on AVX-512, in-lane
    /// then across lanes on AVX2); argmax kept for backward. Ties go to the top row, then to the left column, on both.
    /// </summary>
    private void Forward2x2(ReadOnlySpan<float> x, Span<float> y, State state, int planes)
    {
        int h = Input.Height, wd = Input.Width, oh = Output.Height, ow = Output.Width;
        int pairs = planes * oh;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ts = ref MemoryMarshal.GetArrayDataReference(state.RowMax);
        ref int tis = ref MemoryMarshal.GetArrayDataReference(state.RowArg);
        var lane16 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var lane8 = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        for (int rp = 0; rp < pairs; rp++)
        {
            int pl = rp / oh, oy = rp - pl * oh;
            int r0 = pl * h * wd + 2 * oy * wd, r1 = r0 + wd, t = rp * wd;
            int j = 0;
            for (; Runs512 && j <= wd - 16; j += 16)
            {
                var a = Vector512.LoadUnsafe(ref xs, (nuint)(r0 + j));
                var b = Vector512.LoadUnsafe(ref xs, (nuint)(r1 + j));
                var lower = Vector512.GreaterThan(b, a);
                Vector512.ConditionalSelect(lower, b, a).StoreUnsafe(ref ts, (nuint)(t + j));
                Vector512.ConditionalSelect(lower.AsInt32(), Vector512.Create(r1 + j) + lane16, Vector512.Create(r0 + j) + lane16)
                    .StoreUnsafe(ref tis, (nuint)(t + j));
            }
            for (; j <= wd - 8; j += 8)
            {
                var a = Vector256.LoadUnsafe(ref xs, (nuint)(r0 + j));
                var b = Vector256.LoadUnsafe(ref xs, (nuint)(r1 + j));
                var lower = Vector256.GreaterThan(b, a);
                Vector256.ConditionalSelect(lower, b, a).StoreUnsafe(ref ts, (nuint)(t + j));
                Vector256.ConditionalSelect(lower.AsInt32(), Vector256.Create(r1 + j) + lane8, Vector256.Create(r0 + j) + lane8)
                    .StoreUnsafe(ref tis, (nuint)(t + j));
            }
            for (; j < wd; j++)
            {
                float a = Unsafe.Add(ref xs, r0 + j), b = Unsafe.Add(ref xs, r1 + j);
                Unsafe.Add(ref ts, t + j) = b > a ? b : a;
                Unsafe.Add(ref tis, t + j) = b > a ? r1 + j : r0 + j;
            }
        }
        int n = pairs * ow;
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref int am = ref MemoryMarshal.GetArrayDataReference(state.ArgMax);
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odd = even + Vector512<int>.One;
        int i = 0;
        for (; Runs512 && i <= n - 16; i += 16)
        {
            var v0 = Vector512.LoadUnsafe(ref ts, (nuint)(2 * i));
            var v1 = Vector512.LoadUnsafe(ref ts, (nuint)(2 * i + 16));
            var e = Avx512F.PermuteVar16x32x2(v0, even, v1);
            var o = Avx512F.PermuteVar16x32x2(v0, odd, v1);
            var oddWins = Vector512.GreaterThan(o, e);
            Vector512.ConditionalSelect(oddWins, o, e).StoreUnsafe(ref ys, (nuint)i);
            var k0 = Vector512.LoadUnsafe(ref tis, (nuint)(2 * i));
            var k1 = Vector512.LoadUnsafe(ref tis, (nuint)(2 * i + 16));
            Vector512.ConditionalSelect(oddWins.AsInt32(), Avx512F.PermuteVar16x32x2(k0, odd, k1), Avx512F.PermuteVar16x32x2(k0, even, k1))
                .StoreUnsafe(ref am, (nuint)i);
        }
        var split = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
        for (; i <= n - 8; i += 8)
        {
            // each vector's evens to its low half and odds to its high half, then the halves of the two vectors joined
            var p0 = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref ts, (nuint)(2 * i)), split);
            var p1 = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref ts, (nuint)(2 * i + 8)), split);
            var e = Avx2.Permute2x128(p0, p1, 0x20);
            var o = Avx2.Permute2x128(p0, p1, 0x31);
            var oddWins = Vector256.GreaterThan(o, e);
            Vector256.ConditionalSelect(oddWins, o, e).StoreUnsafe(ref ys, (nuint)i);
            var k0 = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref tis, (nuint)(2 * i)), split);
            var k1 = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref tis, (nuint)(2 * i + 8)), split);
            Vector256.ConditionalSelect(oddWins.AsInt32(), Avx2.Permute2x128(k0, k1, 0x31), Avx2.Permute2x128(k0, k1, 0x20))
                .StoreUnsafe(ref am, (nuint)i);
        }
        for (; i < n; i++)
        {
            float e = Unsafe.Add(ref ts, 2 * i), o = Unsafe.Add(ref ts, 2 * i + 1);
            Unsafe.Add(ref ys, i) = o > e ? o : e;
            Unsafe.Add(ref am, i) = o > e ? Unsafe.Add(ref tis, 2 * i + 1) : Unsafe.Add(ref tis, 2 * i);
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
        var argmax = ((State)pass.State!).ArgMax;
        int n = pass.Batch * Output.Size;
        for (int o = 0; o < n; o++) dx[argmax[o]] += dy[o];
    }

    private sealed class State(long size, long rowPairs) : LayerState
    {
        public readonly int[] ArgMax = new int[size];
        public readonly float[] RowMax = new float[rowPairs];
        public readonly int[] RowArg = new int[rowPairs];
    }
}
