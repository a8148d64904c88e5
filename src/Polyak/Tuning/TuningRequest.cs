using System.Globalization;
using Polyak.Execution;
using Polyak.Optimization;

namespace Polyak.Tuning;

/// <summary>
/// What to tune: a base run configuration (level, backend, data, target loss...), the learning-rate x momentum
/// grid, the seeds per grid point, the update budget of every run, and the search options.
/// </summary>
public sealed record TuningRequest
{
    /// <summary>The default momentum grid {-0.6, -0.3, 0, 0.3, 0.6, 0.9}: negative values included.</summary>
    public static readonly IReadOnlyList<double> DefaultMomenta = [-0.6, -0.3, 0, 0.3, 0.6, 0.9];

    /// <summary>The run configuration every run starts from; learning rate, momentum, seed and budget are replaced.</summary>
    public required TrainingOptions Base { get; init; }

    /// <summary>Learning rates of the grid (sorted ascending when tuning).</summary>
    public required IReadOnlyList<double> LearningRates { get; init; }

    /// <summary>Momenta of the grid, each in (-1, 1).</summary>
    public IReadOnlyList<double> Momenta { get; init; } = DefaultMomenta;

    /// <summary>Seeds run at every grid point (median and spread are reported).</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [1];

    /// <summary>Update budget of every run: a run that has not reached the target by then is censored.</summary>
    public required long Budget { get; init; }

    /// <summary>Evaluation period in updates (the resolution of updates-to-target); null = budget / 100.</summary>
    public int? EvalEvery { get; init; }

    /// <summary>
    /// Closed-loop momentum for every run (<c>study --auto</c>); null = fixed momenta. With it the momentum grid holds the
    /// controller's target alone, so a point's momentum is that target.
    /// </summary>
    public Optimization.AutoMomentumOptions? AutoMomentum { get; init; }

    /// <summary>Successive halving: run every point on a quarter of the budget, keep the best half, double, repeat.</summary>
    public bool Halving { get; init; }

    /// <summary>Number of halving rungs (budgets B/2^(R-1), ..., B/2, B).</summary>
    public int HalvingRungs { get; init; } = 3;

    /// <summary>
    /// Momentum policies (predicates on mu) whose best point always survives a halving rung, so each policy ends
    /// with a full-budget score (the study protects mu = 0.9 and mu >= 0).
    /// </summary>
    public IReadOnlyList<Func<double, bool>> HalvingPolicies { get; init; } = [];

    /// <summary>Runs executed at once; null = the processor count, or 1 when each run is itself multi-threaded.</summary>
    public int? Parallelism { get; init; }

    /// <summary>
    /// Runs the tune plans: every point and seed, and with halving every later rung's survivors (half the points, plus
    /// the best point of each protected policy) — an upper bound then, since a point that reached the target at a
    /// smaller budget is not rerun. Pruned runs count (they are reported, not trained).
    /// </summary>
    public int PlannedRuns
    {
        get
        {
            int points = LearningRates.Distinct().Count() * Momenta.Distinct().Count(), seeds = Seeds.Count;
            if (!Halving) return points * seeds;
            long total = 0;
            int alive = points;
            for (int rung = 0; rung < HalvingRungs; rung++)
            {
                total += (long)alive * seeds;
                alive = Math.Min(points, (alive + 1) / 2 + HalvingPolicies.Count);
            }
            return (int)Math.Min(int.MaxValue, total);
        }
    }

    /// <summary>Whether <see cref="PlannedRuns"/> is exact (no halving) or an upper bound.</summary>
    public bool PlannedRunsExact => !Halving;

    /// <summary>The evaluation period used by every run.</summary>
    public int ResolvedEvalEvery => EvalEvery ?? Base.EvalEvery ?? (int)Math.Clamp(Budget / 100, 1, int.MaxValue);

    /// <summary>The number of runs executed at once.</summary>
    public int ResolvedParallelism => Parallelism
        ?? (Base.Backend.Equals("threads", StringComparison.OrdinalIgnoreCase) && Base.Workers > 1 ? 1 : Math.Max(1, Environment.ProcessorCount));

    /// <summary>A short hash of everything that defines the tune (the default journal folder is named after it).</summary>
    public string Fingerprint() => Fingerprint(Base, $"{string.Join(",", LearningRates.Order().Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}|{string.Join(",", Momenta.Order().Select(x => x.ToString("R", CultureInfo.InvariantCulture)))}|{string.Join(",", Seeds)}|{Budget}|{EvalEvery}|{Halving}|{HalvingRungs}");

    /// <summary>A short hash of a configuration and extra text.</summary>
    public static string Fingerprint(TrainingOptions options, string extra) =>
        TrialKey.For(options with { Momentum = 0, LearningRate = null, Updates = null }, 0).Substring(0, 6)
        + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(extra)))[..6];

    /// <summary>Checks the request; throws <see cref="ArgumentException"/> naming the bad part.</summary>
    public void Validate()
    {
        ResolvedOptions.ValidateGeneric(Base);
        if (LearningRates.Count == 0) throw new ArgumentException("--lrs: the learning-rate list is empty");
        foreach (double lr in LearningRates)
            if (!(lr > 0) || !double.IsFinite(lr)) throw new ArgumentException($"--lrs: every learning rate must be a positive finite number, got {lr.ToString(CultureInfo.InvariantCulture)}");
        if (Momenta.Count == 0) throw new ArgumentException("--momenta: the momentum list is empty");
        foreach (double mu in Momenta)
            Momentum.Validate(mu, "--momenta: every momentum");
        if (AutoMomentum is { } auto && (auto.Target is not double t || Momenta.Count != 1 || Momenta[0] != t))
            throw new ArgumentException("a tune with closed-loop momentum needs its target given and the momentum grid set to that target alone");
        if (Seeds.Count == 0) throw new ArgumentException("--seeds must be >= 1");
        if (Seeds.Distinct().Count() != Seeds.Count) throw new ArgumentException("seeds must be distinct");
        if (Budget < 1) throw new ArgumentException($"tuning budget must be >= 1 update, got {Budget}");
        if (EvalEvery is int ev && ev < 1) throw new ArgumentException($"--eval-every must be >= 1, got {ev}");
        if (HalvingRungs < 1 || HalvingRungs > 10) throw new ArgumentException($"halving rungs must be in [1, 10], got {HalvingRungs}");
        if (Halving && Budget >> (HalvingRungs - 1) < ResolvedEvalEvery)
            throw new ArgumentException($"--halving: the first rung's budget {Budget >> (HalvingRungs - 1)} is below one evaluation period ({ResolvedEvalEvery} updates); raise --updates");
        if (Parallelism is int p && p < 1) throw new ArgumentException($"parallelism must be >= 1, got {p}");
    }

    /// <summary>
    /// A log grid of <paramref name="count"/> learning rates centred on <paramref name="centre"/>, neighbours a
    /// factor <paramref name="factor"/> apart, rounded to 3 significant digits.
    /// </summary>
    public static double[] LogGrid(double centre, int count, double factor)
    {
        if (!(centre > 0) || !double.IsFinite(centre)) throw new ArgumentException($"learning-rate grid centre must be positive, got {centre}");
        if (count < 1) throw new ArgumentException($"learning-rate grid size must be >= 1, got {count}");
        if (!(factor > 1)) throw new ArgumentException($"learning-rate grid factor must be > 1, got {factor}");
        var grid = new double[count];
        for (int i = 0; i < count; i++) grid[i] = RoundSignificant(centre * Math.Pow(factor, i - (count - 1) / 2.0), 3);
        return grid;
    }

    /// <summary><paramref name="k"/> consecutive seeds starting at <paramref name="first"/>.</summary>
    public static ulong[] SeedRange(ulong first, int k)
    {
        if (k < 1) throw new ArgumentException($"--seeds must be >= 1, got {k}");
        return Enumerable.Range(0, k).Select(i => first + (ulong)i).ToArray();
    }

    /// <summary>Rounds to <paramref name="digits"/> significant digits.</summary>
    public static double RoundSignificant(double x, int digits)
    {
        if (x == 0 || !double.IsFinite(x)) return x;
        double scale = Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(x))) + 1 - digits);
        return double.Parse((Math.Round(x / scale) * scale).ToString("G" + digits, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
