namespace Polyak.Tuning;

/// <summary>
/// Bootstrap over seeds of a study: each replicate redraws, per level, the seeds with replacement (the same draw for every
/// grid point of the level, so points stay paired), re-ranks the grid by the one ranking rule and re-chooses each
/// policy's best point. From the replicates: 95 % intervals of each level's updates to target, best momentum and the
/// three penalties, of the reduction factors at the most asynchronous level, and how often "negative momentum is best
/// at g" and "the best momentum is non-increasing in g" hold. Seeded, so a study's report is reproducible.
/// </summary>
public sealed class StudyBootstrap
{
    /// <summary>Replicates drawn.</summary>
    public const int DefaultReplicates = 1000;

    /// <summary>Per level (in the study's order): intervals and shares.</summary>
    public required IReadOnlyList<LevelBootstrap> Levels { get; init; }

    /// <summary>Share of replicates in which the best explicit momentum is non-increasing in g.</summary>
    public double ShareMonotone { get; init; }

    /// <summary>Replicates drawn (0: one seed per point, no bootstrap).</summary>
    public int Replicates { get; init; }

    /// <summary>Seeds per point.</summary>
    public int Seeds { get; init; }

    /// <summary>Runs the bootstrap over <paramref name="tunings"/> (ordered by g; the first is the reference level).</summary>
    public static StudyBootstrap Run(IReadOnlyList<(int Groups, TuningResult Result)> tunings, int replicates = DefaultReplicates, int seed = 20261203)
    {
        int seeds = tunings.SelectMany(t => t.Result.Points).Select(p => p.Trials.Count).DefaultIfEmpty(1).Max();
        if (seeds < 2) replicates = 0;
        var random = new Random(seed);
        int levels = tunings.Count;
        var updates = new List<double>[levels];
        var momentum = new List<double>[levels];
        var penalties = new List<double>[levels, 3];
        var reductions = new List<double>[levels, 3];
        var negative = new int[levels];
        for (int l = 0; l < levels; l++)
        {
            updates[l] = [];
            momentum[l] = [];
            for (int k = 0; k < 3; k++) { penalties[l, k] = []; reductions[l, k] = []; }
        }
        int monotone = 0;
        var draw = new int[seeds];
        for (int b = 0; b < replicates; b++)
        {
            var choices = new (double Score, double Mu, bool Reached)[levels, 3];
            for (int l = 0; l < levels; l++)
            {
                for (int i = 0; i < seeds; i++) draw[i] = random.Next(seeds);
                var resampled = tunings[l].Result with { Points = tunings[l].Result.Points.Select(p => Resample(p, draw)).ToArray() };
                var policies = new[] { resampled.BestWhere(p => StudyRequest.IsFixed09(p.Momentum)), resampled.BestWhere(p => p.Momentum >= 0), resampled.Best };
                for (int k = 0; k < 3; k++)
                    choices[l, k] = policies[k] is { } p ? (p.Status == TrialResult.Reached ? p.Score : double.PositiveInfinity, p.Momentum, p.Status == TrialResult.Reached) : (double.NaN, double.NaN, false);
            }
            double reference = choices[0, 2].Reached ? choices[0, 2].Score : double.NaN;
            bool isMonotone = true;
            for (int l = 0; l < levels; l++)
            {
                updates[l].Add(choices[l, 2].Score);
                momentum[l].Add(choices[l, 2].Mu);
                if (choices[l, 2].Mu < 0) negative[l]++;
                if (l > 0 && !(choices[l, 2].Mu <= choices[l - 1, 2].Mu)) isMonotone = false;
                for (int k = 0; k < 3; k++) penalties[l, k].Add(choices[l, k].Score / reference);
                // Reduction factors: fixed 0.9 over mu >= 0, mu >= 0 over any mu, fixed 0.9 over any mu (a censored numerator: a bound).
                reductions[l, 0].Add(Ratio(choices[l, 0], choices[l, 1]));
                reductions[l, 1].Add(Ratio(choices[l, 1], choices[l, 2]));
                reductions[l, 2].Add(Ratio(choices[l, 0], choices[l, 2]));
            }
            if (isMonotone && levels > 1) monotone++;
        }
        return new StudyBootstrap
        {
            Replicates = replicates,
            Seeds = seeds,
            ShareMonotone = replicates == 0 ? double.NaN : (double)monotone / replicates,
            Levels = Enumerable.Range(0, levels).Select(l => replicates == 0 ? new LevelBootstrap { Groups = tunings[l].Groups } : new LevelBootstrap
            {
                Groups = tunings[l].Groups,
                UpdatesToTarget = BootstrapInterval.Of(updates[l]),
                BestMomentum = BootstrapInterval.Of(momentum[l]),
                PenaltyFixed09 = BootstrapInterval.Of(penalties[l, 0]),
                PenaltyNonneg = BootstrapInterval.Of(penalties[l, 1]),
                PenaltyWithNegative = BootstrapInterval.Of(penalties[l, 2]),
                ReductionTuning = BootstrapInterval.Of(reductions[l, 0]),
                ReductionNegative = BootstrapInterval.Of(reductions[l, 1]),
                ReductionAll = BootstrapInterval.Of(reductions[l, 2]),
                ShareNegative = (double)negative[l] / replicates,
            }).ToArray(),
        };
    }

    /// <summary>
    /// 95 % interval of best(<paramref name="numerator"/>) / best(<paramref name="denominator"/>) updates to target: each
    /// replicate draws the seeds once and applies the draw to both grids (they ran the same seeds), re-choosing each best
    /// point by the ranking rule. A censored numerator gives +inf (the interval's upper end is then a bound); null with one seed.
    /// </summary>
    public static BootstrapInterval? RatioOfBest(TuningResult numerator, TuningResult denominator, int replicates = DefaultReplicates, int seed = 20261207)
    {
        int seeds = numerator.Points.Concat(denominator.Points).Select(p => p.Trials.Count).DefaultIfEmpty(1).Max();
        if (seeds < 2) return null;
        var random = new Random(seed);
        var draw = new int[seeds];
        var ratios = new List<double>(replicates);
        for (int b = 0; b < replicates; b++)
        {
            for (int i = 0; i < seeds; i++) draw[i] = random.Next(seeds);
            var n = (numerator with { Points = numerator.Points.Select(p => Resample(p, draw)).ToArray() }).Best;
            var d = (denominator with { Points = denominator.Points.Select(p => Resample(p, draw)).ToArray() }).Best;
            if (n is null || d is null) continue;
            ratios.Add(Ratio((n.Status == TrialResult.Reached ? n.Score : double.PositiveInfinity, n.Momentum, n.Status == TrialResult.Reached),
                (d.Status == TrialResult.Reached ? d.Score : double.PositiveInfinity, d.Momentum, d.Status == TrialResult.Reached)));
        }
        return BootstrapInterval.Of(ratios);
    }

    private static double Ratio((double Score, double Mu, bool Reached) a, (double Score, double Mu, bool Reached) b) =>
        !b.Reached ? double.NaN : a.Reached ? a.Score / b.Score : double.PositiveInfinity;

    private static TuningPoint Resample(TuningPoint p, int[] draw)
    {
        var trials = p.Trials;
        var picked = new TrialResult[draw.Length];
        for (int i = 0; i < draw.Length; i++) picked[i] = trials[draw[i] % trials.Count] with { Seed = (ulong)i + 1 };
        return new TuningPoint(p.LearningRate, p.Momentum, picked, p.StoppedEarly);
    }
}

/// <summary>One level's bootstrap intervals (null: nothing finite to show, e.g. every replicate censored) and shares.</summary>
public sealed record LevelBootstrap
{
    /// <summary>Number of compute groups g.</summary>
    public int Groups { get; init; }

    /// <summary>Updates to target of the best point (any momentum).</summary>
    public BootstrapInterval? UpdatesToTarget { get; init; }

    /// <summary>The best explicit momentum.</summary>
    public BootstrapInterval? BestMomentum { get; init; }

    /// <summary>Penalty with mu fixed at 0.9.</summary>
    public BootstrapInterval? PenaltyFixed09 { get; init; }

    /// <summary>Penalty with mu tuned over mu >= 0.</summary>
    public BootstrapInterval? PenaltyNonneg { get; init; }

    /// <summary>Penalty with mu tuned including negative values.</summary>
    public BootstrapInterval? PenaltyWithNegative { get; init; }

    /// <summary>Reduction factor of tuning momentum (mu >= 0) over mu fixed at 0.9.</summary>
    public BootstrapInterval? ReductionTuning { get; init; }

    /// <summary>Further reduction from allowing negative momentum.</summary>
    public BootstrapInterval? ReductionNegative { get; init; }

    /// <summary>Reduction of any tuned momentum over mu fixed at 0.9.</summary>
    public BootstrapInterval? ReductionAll { get; init; }

    /// <summary>Share of replicates whose best momentum is negative (NaN without a bootstrap).</summary>
    public double ShareNegative { get; init; } = double.NaN;
}
