using System.Text.Json.Serialization;

namespace Polyak.Tuning;

/// <summary>
/// A 95 % percentile interval from a bootstrap over seeds. <see cref="UpperIsBound"/>: in more than 2.5 % of the
/// replicates the value was censored (the target was not reached), so the upper end is only known to be at least
/// <see cref="Upper"/>. <see cref="Degenerate"/>: every replicate gave the same value (one seed, or identical runs):
/// there is no sampling uncertainty to show, and it is not shown as an interval.
/// </summary>
public sealed record BootstrapInterval(double Lower, double Upper, bool UpperIsBound, bool Identical = false)
{
    /// <summary>Every replicate gave the same value (not merely 95 % of them: a real [x, x] interval is an interval).</summary>
    public bool Degenerate => Identical;

    /// <summary>Whether <paramref name="x"/> lies inside (a censored upper end counts as unbounded).</summary>
    public bool Contains(double x) => x >= Lower && (UpperIsBound || x <= Upper);

    /// <summary><c>[1.6, 2.3]</c>, <c>[1.6, &gt;= 2.3]</c>, or <c>(no interval: identical replicates)</c>.</summary>
    [JsonIgnore]
    public string Text => Degenerate ? "(no interval: identical replicates)"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{Lower:G3}, {(UpperIsBound ? ">= " : "")}{Upper:G3}]");

    /// <summary>The 2.5 % and 97.5 % quantiles of <paramref name="values"/> (+infinity = censored; NaN values dropped); null when none is finite.</summary>
    public static BootstrapInterval? Of(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).Order().ToArray();
        if (v.Length == 0 || !double.IsFinite(v[0])) return null;
        double lo = Quantile(v, 0.025), hi = Quantile(v, 0.975);
        // More than 97.5 % of the replicates censored: no finite lower end, so no interval to show.
        if (!double.IsFinite(lo)) return null;
        bool bound = double.IsPositiveInfinity(hi);
        if (bound) hi = v.Last(double.IsFinite);
        return new BootstrapInterval(lo, hi, bound, Identical: v[0] == v[^1]);
    }

    private static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int i = (int)Math.Floor(pos);
        if (i + 1 >= sorted.Length) return sorted[^1];
        double a = sorted[i], b = sorted[i + 1];
        return double.IsInfinity(b) || double.IsInfinity(a) ? (pos - i < 0.5 ? a : b) : a + (pos - i) * (b - a);
    }
}
