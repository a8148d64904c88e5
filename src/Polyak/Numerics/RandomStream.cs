using System.Numerics;
using System.Runtime.CompilerServices;

namespace Polyak.Numerics;

/// <summary>
/// A small, fast, seedable pseudo-random stream (xoshiro256**) whose whole state is four
/// 64-bit words, so it can be checkpointed and restored exactly. Every random stream in a run
/// is derived from the run seed with <see cref="Derive"/>.
/// </summary>
public sealed class RandomStream
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a stream from a seed (expanded with SplitMix64).</summary>
    public RandomStream(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>Resets this stream in place to the state <c>new RandomStream(seed)</c> would have (no allocation).</summary>
    public void Reseed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private RandomStream(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        _s0 = s0; _s1 = s1; _s2 = s2; _s3 = s3;
    }

    /// <summary>Derives an independent child stream from a seed and a path of integers (e.g. purpose, worker index).</summary>
    public static RandomStream Derive(ulong seed, params ReadOnlySpan<ulong> path) => new(DeriveSeed(seed, path));

    /// <summary>Derives a child seed deterministically from a seed and a path of integers.</summary>
    public static ulong DeriveSeed(ulong seed, params ReadOnlySpan<ulong> path)
    {
        ulong x = seed ^ 0x9E3779B97F4A7C15UL;
        ulong h = SplitMix(ref x);
        foreach (ulong p in path)
        {
            x = h ^ (p + 0xD1B54A32D192ED03UL);
            h = SplitMix(ref x);
        }
        return h;
    }

    /// <summary>The four state words, for checkpoints.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Restores a stream from <see cref="GetState"/>.</summary>
    public static RandomStream FromState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4) throw new ArgumentException("a random-stream state has exactly 4 words", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("an all-zero random-stream state is invalid", nameof(state));
        return new RandomStream(state[0], state[1], state[2], state[3]);
    }

    /// <summary>A copy with the same state.</summary>
    public RandomStream Clone() => new(_s0, _s1, _s2, _s3);

    /// <summary>Next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in (0, 1], safe for logarithms.</summary>
    public double NextDoubleNonZero() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n) without modulo bias (Lemire).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        ulong m = (ulong)(uint)(NextUInt64() >> 32) * (ulong)n;
        uint l = (uint)m;
        if (l < (uint)n)
        {
            uint threshold = (uint)(-n) % (uint)n;
            while (l < threshold)
            {
                m = (ulong)(uint)(NextUInt64() >> 32) * (ulong)n;
                l = (uint)m;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>Standard normal sample (Box-Muller, one value per call).</summary>
    public double NextGaussian()
    {
        double u1 = NextDoubleNonZero();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Exponential sample with the given mean.</summary>
    public double NextExponential(double mean) => -mean * Math.Log(NextDoubleNonZero());

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
