using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Polyak.Optimization;

/// <summary>
/// The heavy-ball (Polyak momentum) step applied by the parameter server, for one slice of coordinates:
/// <code>
///   v[i] = mu * v[i] - alpha * (g[i] + lambda * w[i])
///   w[i] = w[i] + v[i]
/// </code>
/// <c>mu</c> may be any value in (-1, 1), negative included. One pass streams w, v and g exactly once.
/// </summary>
public static class HeavyBall
{
    /// <summary>Applies one heavy-ball step in place over <paramref name="w"/> and <paramref name="v"/>.</summary>
    public static void Step(Span<float> w, Span<float> v, ReadOnlySpan<float> g, float mu, float alpha, float lambda)
    {
        if (w.Length != v.Length || w.Length != g.Length)
            throw new ArgumentException($"length mismatch: w={w.Length}, v={v.Length}, g={g.Length}");
        int n = w.Length;
        ref float pw = ref MemoryMarshal.GetReference(w);
        ref float pv = ref MemoryMarshal.GetReference(v);
        ref float pg = ref MemoryMarshal.GetReference(g);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var vmu = Vector512.Create(mu);
            var vna = Vector512.Create(-alpha);
            var vlam = Vector512.Create(lambda);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var wi = Vector512.LoadUnsafe(ref pw, (nuint)i);
                var vi = Vector512.LoadUnsafe(ref pv, (nuint)i);
                var gi = Vector512.LoadUnsafe(ref pg, (nuint)i);
                var d = Vector512.FusedMultiplyAdd(vlam, wi, gi);
                var nv = Vector512.FusedMultiplyAdd(vna, d, vmu * vi);
                nv.StoreUnsafe(ref pv, (nuint)i);
                (wi + nv).StoreUnsafe(ref pw, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            var vmu = Vector256.Create(mu);
            var vna = Vector256.Create(-alpha);
            var vlam = Vector256.Create(lambda);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var wi = Vector256.LoadUnsafe(ref pw, (nuint)i);
                var vi = Vector256.LoadUnsafe(ref pv, (nuint)i);
                var gi = Vector256.LoadUnsafe(ref pg, (nuint)i);
                var d = Vector256.FusedMultiplyAdd(vlam, wi, gi);
                var nv = Vector256.FusedMultiplyAdd(vna, d, vmu * vi);
                nv.StoreUnsafe(ref pv, (nuint)i);
                (wi + nv).StoreUnsafe(ref pw, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float wi = Unsafe.Add(ref pw, i);
            float nv = MathF.FusedMultiplyAdd(-alpha, MathF.FusedMultiplyAdd(lambda, wi, Unsafe.Add(ref pg, i)), mu * Unsafe.Add(ref pv, i));
            Unsafe.Add(ref pv, i) = nv;
            Unsafe.Add(ref pw, i) = wi + nv;
        }
    }
}
