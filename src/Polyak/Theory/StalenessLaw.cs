using Polyak.Execution;
using Polyak.Optimization;

namespace Polyak.Theory;

/// <summary>
/// The staleness the queueing model predicts for a simulator clock model with M = g asynchronous groups.
/// Mean: M - 1 for every law (renewal argument: between two pushes of one group, the others push on average
/// M - 1 times, whatever their speeds, weighting groups by their push rates). Full law:
/// <list type="bullet">
/// <item>exponential times, k = 1, no delays: geometric <c>P(l) = (1/M)(1 - 1/M)^l</c>; with stragglers of rates
/// r_i (R = sum) a mixture of geometrics <c>sum_i (r_i/R) p_i (1 - p_i)^l</c>, <c>p_i = r_i / R</c>;</item>
/// <item>constant times, equal speeds: a point mass at M - 1 (after a warm-up of M updates);</item>
/// <item>otherwise no closed form: only the mean is predicted.</item>
/// </list>
/// </summary>
public sealed class StalenessLaw
{
    private readonly double[] _weights;
    private readonly double[] _p;

    private StalenessLaw(string name, double mean, double[] weights, double[] p, int? pointMass)
    {
        Name = name;
        Mean = mean;
        _weights = weights;
        _p = p;
        PointMass = pointMass;
    }

    /// <summary>Short description, e.g. "geometric(1/4)".</summary>
    public string Name { get; }

    /// <summary>Predicted mean staleness.</summary>
    public double Mean { get; }

    /// <summary>The value of a point-mass law (constant times), if that is the law.</summary>
    public int? PointMass { get; }

    /// <summary>Whether a full distribution is predicted (so a goodness-of-fit test applies).</summary>
    public bool HasDistribution => _p.Length > 0 || PointMass is not null;

    /// <summary>The geometric law of M groups with i.i.d. exponential times.</summary>
    public static StalenessLaw Geometric(int groups)
    {
        if (groups < 1) throw new ArgumentException($"the number of workers M must be >= 1, got {groups}");
        return new StalenessLaw($"geometric(1/{groups})", groups - 1, [1.0], [1.0 / groups], null);
    }

    /// <summary>The prediction for a clock model (see the type's summary).</summary>
    public static StalenessLaw For(ClockModel clock)
    {
        int m = clock.Groups;
        bool exponential = clock.Distribution.Kind == DistributionKind.Exponential && clock.GroupSize == 1
            && clock.Options.CommunicationDelay == 0 && clock.SyncCost == 0;
        bool equalSpeeds = clock.Slowdown.All(s => s == clock.Slowdown[0]);
        if (exponential)
        {
            if (equalSpeeds) return Geometric(m);
            var rates = clock.Slowdown.Select(s => 1.0 / s).ToArray();
            double r = rates.Sum();
            var weights = rates.Select(x => x / r).ToArray();
            return new StalenessLaw("mixture of geometrics (stragglers)", m - 1, weights, weights.ToArray(), null);
        }
        if (clock.Distribution.Kind == DistributionKind.Constant && equalSpeeds)
            return new StalenessLaw($"point mass at {m - 1}", m - 1, [], [], m - 1);
        return new StalenessLaw("no closed form (mean only)", m - 1, [], [], null);
    }

    /// <summary>Predicted probability of staleness <paramref name="l"/> (NaN when only the mean is predicted).</summary>
    public double Probability(int l)
    {
        if (l < 0) return 0;
        if (PointMass is int pm) return l == pm ? 1 : 0;
        if (_p.Length == 0) return double.NaN;
        double s = 0;
        for (int i = 0; i < _p.Length; i++) s += _weights[i] * _p[i] * Math.Pow(1 - _p[i], l);
        return s;
    }

    /// <summary>Chi-square goodness of fit of a measured histogram (null when no distribution is predicted).</summary>
    public ChiSquareResult? Fit(StalenessHistogram histogram) =>
        _p.Length == 0 || histogram.Total == 0 ? null : ChiSquareTest.Test(histogram.ToArray(), Probability);
}
