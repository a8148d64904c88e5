using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Polyak.Optimization;

/// <summary>
/// The heavy-ball (Polyak momentum) step applied by the parameter server, for one slice of coordinates:
/// <code>
///   v[i] = mu * v[i] - alpha * (g[i] + lambda * w[i])
///   w[i] = w[i] + v[i]
/// </code>
/// <c>mu</c> may be any value in (-1, 1), negative included. One pass streams w, v and g exactly once. Per coordinate
/// the arithmetic is always <c>d = fma(lambda, w, g); nv = fma(-alpha, d, mu * v); v = nv; w = w + nv</c>, with one
/// rounding per fused multiply-add, so every vector width (512, 256 or 128 bits, whichever is the widest this machine
/// accelerates with hardware FMA) and the scalar tail give bit-identical results.
/// </summary>
public static class HeavyBall
{
    /// <summary>Applies one heavy-ball step in place over <paramref name="w"/> and <paramref name="v"/>.</summary>
    public static void Step(Span<float> w, Span<float> v, ReadOnlySpan<float> g, float mu, float alpha, float lambda)
    {
        CheckLengths(w.Length, v.Length, g.Length);
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pv = ref MemoryMarshal.GetReference(v);
        ref float pg = ref MemoryMarshal.GetReference(g);
        int n = w.Length, i;
        // Each condition is a JIT-time constant: only the chosen branch is compiled.
        if (Runs512) i = Vectorized<Lanes512, Vector512<float>>(ref pw, ref pv, ref pg, n, mu, alpha, lambda);
        else if (Runs256) i = Vectorized<Lanes256, Vector256<float>>(ref pw, ref pv, ref pg, n, mu, alpha, lambda);
        else if (Runs128) i = Vectorized<Lanes128, Vector128<float>>(ref pw, ref pv, ref pg, n, mu, alpha, lambda);
        else i = 0;
        ScalarTail(ref pw, ref pv, ref pg, i, n, mu, alpha, lambda);
    }

    /// <summary>A vector width of <see cref="StepWith"/>.</summary>
    internal enum Width
    {
        /// <summary>No vectors: the scalar loop for every coordinate.</summary>
        Scalar,

        /// <summary>Vector128 (SSE/AVX with FMA on x86, AdvSimd on ARM64), then the scalar tail.</summary>
        Vector128,

        /// <summary>Vector256 (AVX2 + FMA), then the scalar tail.</summary>
        Vector256,

        /// <summary>Vector512 (AVX-512F), then the scalar tail.</summary>
        Vector512,
    }

    /// <summary>The widths this machine runs in hardware (vector type accelerated and fused multiply-add at that width), narrowest first.</summary>
    internal static IReadOnlyList<Width> AvailableWidths { get; } =
        new[] { Width.Scalar, Width.Vector128, Width.Vector256, Width.Vector512 }.Where(IsAvailable).ToArray();

    /// <summary>The width <see cref="Step"/> uses: the widest available.</summary>
    internal static Width DefaultWidth => AvailableWidths[^1];

    /// <summary>True when <paramref name="width"/> runs in hardware here (the rule <see cref="Step"/> dispatches by).</summary>
    internal static bool IsAvailable(Width width) => width switch
    {
        Width.Scalar => true,
        Width.Vector128 => Runs128,
        Width.Vector256 => Runs256,
        Width.Vector512 => Runs512,
        _ => false,
    };

    /// <summary>
    /// As <see cref="Step"/> with the vector width forced (tests and benchmarks cover every path with it); throws
    /// <see cref="PlatformNotSupportedException"/> for a width this machine does not run in hardware.
    /// </summary>
    internal static void StepWith(Width width, Span<float> w, Span<float> v, ReadOnlySpan<float> g, float mu, float alpha, float lambda)
    {
        CheckLengths(w.Length, v.Length, g.Length);
        if (!IsAvailable(width))
            throw new PlatformNotSupportedException(
                $"heavy ball: the {width} path is not accelerated on this machine (available: {string.Join(", ", AvailableWidths)})");
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pv = ref MemoryMarshal.GetReference(v);
        ref float pg = ref MemoryMarshal.GetReference(g);
        int n = w.Length;
        int i = width switch
        {
            Width.Vector512 => Vectorized<Lanes512, Vector512<float>>(ref pw, ref pv, ref pg, n, mu, alpha, lambda),
            Width.Vector256 => Vectorized<Lanes256, Vector256<float>>(ref pw, ref pv, ref pg, n, mu, alpha, lambda),
            Width.Vector128 => Vectorized<Lanes128, Vector128<float>>(ref pw, ref pv, ref pg, n, mu, alpha, lambda),
            _ => 0,
        };
        ScalarTail(ref pw, ref pv, ref pg, i, n, mu, alpha, lambda);
    }

    // The dispatch rule: the runtime accelerates the vector type and the hardware has fused multiply-add at that width
    // (without it Vector*.FusedMultiplyAdd is emulated in software: right, but far slower than the scalar loop).
    private static bool Runs512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    private static bool Runs256 => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    private static bool Runs128 => Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported);

    private static void CheckLengths(int w, int v, int g)
    {
        if (w != v || w != g) throw new ArgumentException($"length mismatch: w={w}, v={v}, g={g}");
    }

    /// <summary>The step over whole vectors of coordinates [0, n - n mod Count); returns where the scalar tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Vectorized<TLanes, TVector>(ref float pw, ref float pv, ref float pg, int n, float mu, float alpha, float lambda)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        var vmu = TLanes.Create(mu);
        var vna = TLanes.Create(-alpha);
        var vlam = TLanes.Create(lambda);
        int i = 0;
        for (; i <= n - TLanes.Count; i += TLanes.Count)
        {
            var wi = TLanes.Load(ref pw, (nuint)i);
            var vi = TLanes.Load(ref pv, (nuint)i);
            var gi = TLanes.Load(ref pg, (nuint)i);
            var d = TLanes.FusedMultiplyAdd(vlam, wi, gi);
            var nv = TLanes.FusedMultiplyAdd(vna, d, TLanes.Multiply(vmu, vi));
            TLanes.Store(nv, ref pv, (nuint)i);
            TLanes.Store(TLanes.Add(wi, nv), ref pw, (nuint)i);
        }
        return i;
    }

    /// <summary>
    /// The same step one coordinate at a time over [i, n). Not inlined: inside the callers (beside the vector loops) the
    /// JIT spilled <paramref name="mu"/> to the stack every iteration, which made the all-scalar path 2.5 times slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ScalarTail(ref float pw, ref float pv, ref float pg, int i, int n, float mu, float alpha, float lambda)
    {
        for (; i < n; i++)
        {
            float wi = Unsafe.Add(ref pw, i);
            float nv = MathF.FusedMultiplyAdd(-alpha, MathF.FusedMultiplyAdd(lambda, wi, Unsafe.Add(ref pg, i)), mu * Unsafe.Add(ref pv, i));
            Unsafe.Add(ref pv, i) = nv;
            Unsafe.Add(ref pw, i) = wi + nv;
        }
    }

    /// <summary>
    /// The vector operations the step needs, for one width. (<c>System.Runtime.Intrinsics.ISimdVector</c> would do, but it
    /// is not public in .NET 10.) Implemented by empty structs so each use is specialised and inlined by the JIT.
    /// </summary>
    private interface ILanes<TVector> where TVector : struct
    {
        static abstract int Count { get; }

        static abstract TVector Create(float x);

        static abstract TVector Load(ref float p, nuint i);

        static abstract void Store(TVector x, ref float p, nuint i);

        static abstract TVector FusedMultiplyAdd(TVector a, TVector b, TVector c);

        static abstract TVector Multiply(TVector a, TVector b);

        static abstract TVector Add(TVector a, TVector b);
    }

    /// <summary>Vector512 lanes.</summary>
    private readonly struct Lanes512 : ILanes<Vector512<float>>
    {
        public static int Count => Vector512<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Create(float x) => Vector512.Create(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(ref float p, nuint i) => Vector512.LoadUnsafe(ref p, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<float> x, ref float p, nuint i) => x.StoreUnsafe(ref p, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    }

    /// <summary>Vector256 lanes.</summary>
    private readonly struct Lanes256 : ILanes<Vector256<float>>
    {
        public static int Count => Vector256<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Create(float x) => Vector256.Create(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(ref float p, nuint i) => Vector256.LoadUnsafe(ref p, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<float> x, ref float p, nuint i) => x.StoreUnsafe(ref p, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    }

    /// <summary>Vector128 lanes.</summary>
    private readonly struct Lanes128 : ILanes<Vector128<float>>
    {
        public static int Count => Vector128<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Create(float x) => Vector128.Create(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Load(ref float p, nuint i) => Vector128.LoadUnsafe(ref p, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<float> x, ref float p, nuint i) => x.StoreUnsafe(ref p, i);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    }
}
