namespace Polyak.Optimization;

/// <summary>
/// Counts of update staleness: entry <c>l</c> is how many updates were applied with staleness
/// <c>tau = version_at_apply - version_read = l</c>. Not thread-safe; the parameter server guards it.
/// </summary>
public sealed class StalenessHistogram
{
    private long[] _counts = new long[16];
    private int _max = -1;

    /// <summary>Number of recorded updates.</summary>
    public long Total { get; private set; }

    /// <summary>Largest staleness seen (-1 when empty).</summary>
    public int Max => _max;

    /// <summary>Sum of all staleness values.</summary>
    public double Sum { get; private set; }

    /// <summary>Mean staleness (0 when empty).</summary>
    public double Mean => Total == 0 ? 0 : Sum / Total;

    /// <summary>Records one update with staleness <paramref name="tau"/> (>= 0).</summary>
    public void Add(long tau)
    {
        if (tau < 0) throw new ArgumentOutOfRangeException(nameof(tau), tau, "staleness cannot be negative");
        if (tau > int.MaxValue / 2) throw new ArgumentOutOfRangeException(nameof(tau), tau, "staleness too large to record");
        int l = (int)tau;
        if (l >= _counts.Length)
            Array.Resize(ref _counts, Math.Max(l + 1, _counts.Length * 2));
        _counts[l]++;
        if (l > _max) _max = l;
        Total++;
        Sum += l;
    }

    /// <summary>Adds every count of another histogram.</summary>
    public void Merge(StalenessHistogram other)
    {
        long[] c = other.ToArray();
        for (int l = 0; l < c.Length; l++)
        {
            if (c[l] == 0) continue;
            if (l >= _counts.Length) Array.Resize(ref _counts, Math.Max(l + 1, _counts.Length * 2));
            _counts[l] += c[l];
            Total += c[l];
            Sum += (double)l * c[l];
            if (l > _max) _max = l;
        }
    }

    /// <summary>The count for staleness <paramref name="tau"/>.</summary>
    public long Count(int tau) => tau >= 0 && tau < _counts.Length ? _counts[tau] : 0;

    /// <summary>Counts indexed by staleness, up to and including <see cref="Max"/>.</summary>
    public long[] ToArray() => _counts.AsSpan(0, _max + 1).ToArray();

    /// <summary>Empirical probability of each staleness value.</summary>
    public double[] Probabilities()
    {
        var p = new double[_max + 1];
        for (int l = 0; l <= _max; l++) p[l] = Total == 0 ? 0 : (double)_counts[l] / Total;
        return p;
    }

    /// <summary>Rebuilds a histogram from counts (e.g. from a checkpoint).</summary>
    public static StalenessHistogram FromCounts(ReadOnlySpan<long> counts)
    {
        var h = new StalenessHistogram();
        for (int l = 0; l < counts.Length; l++)
        {
            if (counts[l] < 0) throw new ArgumentException($"negative count at staleness {l}");
            if (counts[l] == 0) continue;
            if (l >= h._counts.Length) Array.Resize(ref h._counts, Math.Max(l + 1, h._counts.Length * 2));
            h._counts[l] = counts[l];
            h.Total += counts[l];
            h.Sum += (double)l * counts[l];
            h._max = l;
        }
        return h;
    }
}
