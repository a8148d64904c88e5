using System.Diagnostics;
using System.Globalization;

namespace Polyak.Tuning;

/// <summary>
/// The momentum study: tunes learning rate x momentum at every asynchrony level (g compute groups over N
/// workers), then derives per level the best (lr, mu), the statistical penalty (updates to target / the best
/// synchronous run's) of three policies — mu fixed at 0.9, mu tuned over non-negative values, mu tuned
/// including negative values — the hardware efficiency and predicted time to target, and the theory's
/// implicit momentum 1 - 1/g next to the measured best explicit momentum.
/// </summary>
public sealed class Study
{
    private readonly ITrialRunner _runner;
    private readonly TuningJournal _journal;

    /// <summary>Creates a study running with <paramref name="runner"/>, journaling every run in <paramref name="journal"/>.</summary>
    public Study(ITrialRunner runner, TuningJournal journal)
    {
        _runner = runner;
        _journal = journal;
    }

    /// <summary>Called after each run (see <see cref="Tuner.TrialFinished"/>).</summary>
    public Action<TrialResult, bool>? TrialFinished { get; init; }

    /// <summary>Informational messages.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Runs the study (resuming from the journal); throws <see cref="OperationCanceledException"/> when cancelled.</summary>
    public StudyResult Run(StudyRequest request, CancellationToken cancel = default)
    {
        request.Validate();
        var clock = Stopwatch.StartNew();
        var tuner = new Tuner(_runner, _journal) { TrialFinished = TrialFinished, Log = Log };
        var tunings = new List<(int Groups, TuningResult Result)>();
        foreach (int g in request.Levels.Order())
        {
            Log?.Invoke($"level g = {g} ({request.Base.Workers / g} worker(s) per group)");
            var result = tuner.Run(request.LevelRequest(g), cancel);
            tunings.Add((g, result));
            var best = result.Best;
            Log?.Invoke(best is null ? $"  g = {g}: no usable point" : string.Create(CultureInfo.InvariantCulture,
                $"  g = {g}: best lr {best.LearningRate}, mu {best.Momentum}, updates to target {best.ScoreText} ({result.RunsExecuted} run(s), {result.RunsReused} reused, {result.RunsPruned} pruned)"));
        }
        return Analyse(request, tunings, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Derives the study's levels, penalties and reading from per-level tuning results.</summary>
    public static StudyResult Analyse(StudyRequest request, IReadOnlyList<(int Groups, TuningResult Result)> tunings, double wallSeconds)
    {
        var ordered = tunings.OrderBy(t => t.Groups).ToArray();
        var reference = ordered[0];
        var refBest = reference.Result.Best;
        double refUpdates = refBest?.Score ?? double.NaN;
        double refMomentum = refBest?.Momentum ?? double.NaN;
        bool simulated = ordered.SelectMany(t => t.Result.Trials).Any(t => t.SimulatedSecondsPerUpdate is not null);
        double refTime = TimePerUpdate(reference.Result);

        var levels = new List<StudyLevel>();
        foreach (var (g, result) in ordered)
        {
            var best = result.Best;
            double time = TimePerUpdate(result);
            levels.Add(new StudyLevel
            {
                Groups = g,
                Workers = request.Base.Workers,
                BestLr = best?.LearningRate ?? double.NaN,
                BestMomentum = best?.Momentum ?? double.NaN,
                UpdatesToTarget = best?.Score ?? double.NaN,
                Status = best?.Status ?? "none",
                UpdatesMin = best?.MinUpdates,
                UpdatesMax = best?.MaxUpdates,
                Fixed09 = PolicyChoice.From(result.BestWhere(p => StudyRequest.IsFixed09(p.Momentum)), refUpdates),
                Nonneg = PolicyChoice.From(result.BestWhere(p => p.Momentum >= 0), refUpdates),
                WithNegative = PolicyChoice.From(best, refUpdates),
                PredictedExplicitMomentum = refMomentum - (1 - 1.0 / g),
                StalenessMean = best?.Median.StalenessMean ?? double.NaN,
                TimePerUpdate = time,
                TimeUnit = simulated ? "simulated s" : "s",
                HardwareEfficiency = time / refTime,
                Tuning = result,
                BestPoint = best,
            });
        }

        bool monotone = true;
        for (int i = 1; i < levels.Count; i++)
            if (!(levels[i].BestMomentum <= levels[i - 1].BestMomentum)) monotone = false;

        return new StudyResult
        {
            Preset = request.Preset,
            Config = request.Base,
            LearningRates = request.LearningRates.Distinct().Order().ToArray(),
            Momenta = request.ResolvedMomenta,
            Seeds = request.Seeds,
            Budget = request.Budget,
            EvalEvery = request.LevelRequest(ordered[0].Groups).ResolvedEvalEvery,
            Levels = levels,
            ReferenceGroups = reference.Groups,
            ReferenceUpdates = refUpdates,
            Monotone = monotone,
            Reading = Read(levels, monotone, reference.Groups, request.LearningRates, request.ResolvedMomenta),
            RunsExecuted = ordered.Sum(t => t.Result.RunsExecuted),
            RunsReused = ordered.Sum(t => t.Result.RunsReused),
            RunsPruned = ordered.Sum(t => t.Result.RunsPruned),
            CostSeconds = ordered.Sum(t => t.Result.CostSeconds),
            WallSeconds = wallSeconds,
        };
    }

    /// <summary>Median time per update over the level's executed runs (simulated seconds when simulated).</summary>
    private static double TimePerUpdate(TuningResult result)
    {
        var times = result.Trials.Where(t => t.Status is not TrialResult.Pruned && t.Updates > 0)
            .Select(t => t.TimePerUpdate).Where(double.IsFinite).Order().ToArray();
        return times.Length == 0 ? double.NaN : times[times.Length / 2];
    }

    /// <summary>The automatic reading: monotone or not, negative momentum chosen or not, penalty reduction factors.</summary>
    private static List<string> Read(IReadOnlyList<StudyLevel> levels, bool monotone, int referenceGroups, IReadOnlyList<double> lrs, IReadOnlyList<double> momenta)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>();
        var edges = GridEdges(levels, lrs, momenta);
        string mus = string.Join(", ", levels.Select(l => string.Create(c, $"g={l.Groups}: {l.BestMomentum:0.##}")));
        if (monotone)
            lines.Add($"The best explicit momentum is non-increasing in the level of asynchrony ({mus}), as the theory predicts.");
        else
        {
            var breaks = new List<string>();
            for (int i = 1; i < levels.Count; i++)
                if (!(levels[i].BestMomentum <= levels[i - 1].BestMomentum)) breaks.Add($"g={levels[i - 1].Groups} to g={levels[i].Groups}");
            lines.Add($"The best explicit momentum is NOT monotone in the level of asynchrony ({mus}); it rises from {string.Join(", ", breaks)}.");
        }
        var negative = levels.Where(l => l.BestMomentum < 0).Select(l => l.Groups.ToString(c)).ToArray();
        lines.Add(negative.Length > 0
            ? $"Negative momentum is chosen at g = {string.Join(", ", negative)}."
            : levels.Any(l => l.BestMomentum == 0) ? "No level chooses negative momentum; the most asynchronous levels choose mu = 0." : "No level chooses negative or zero momentum.");
        var last = levels[^1];
        if (levels.Count > 1)
        {
            lines.Add(string.Create(c, $"At the most asynchronous level (g = {last.Groups}) the statistical penalty is {Fmt(last.Fixed09)} with mu fixed at 0.9, {Fmt(last.Nonneg)} with mu tuned over non-negative values and {Fmt(last.WithNegative)} with negative values allowed: tuning momentum reduces it {Ratio(last.Fixed09, last.Nonneg)}, and allowing negative momentum a further {Ratio(last.Nonneg, last.WithNegative)} ({Ratio(last.Fixed09, last.WithNegative)} in all)."));
            bool tunedBeatsFixed = levels.All(l => l.WithNegative.NoWorseThan(l.Fixed09));
            lines.Add(tunedBeatsFixed ? "At every level the tuned penalty is at most the fixed-0.9 penalty." : "At some level the tuned penalty exceeds the fixed-0.9 penalty (a finer grid or more seeds may be needed).");
            var theory = string.Join(", ", levels.Select(l => string.Create(c, $"g={l.Groups}: predicted {l.PredictedExplicitMomentum:0.##}, measured {l.BestMomentum:0.##}")));
            lines.Add($"Theory (implicit momentum 1 - 1/g, explicit = best synchronous mu - implicit): {theory}.");
        }
        if (edges.Count > 0)
            lines.Add($"Best points on the edge of the grid (the optimum may lie outside it; extend --lrs / --momenta): {string.Join("; ", edges)}.");
        if (levels.Any(l => l.Status == TrialResult.Censored))
            lines.Add($"Censored levels (no run reached the target within the budget; their penalties are lower bounds): g = {string.Join(", ", levels.Where(l => l.Status == TrialResult.Censored).Select(l => l.Groups))}.");
        if (referenceGroups != 1) lines.Add($"No synchronous level was studied: penalties are relative to g = {referenceGroups}.");
        var fastest = levels.Where(l => double.IsFinite(l.PredictedTimeToTarget)).MinBy(l => l.PredictedTimeToTarget);
        if (fastest is not null)
            lines.Add(string.Create(c, $"Predicted time to target is lowest at g = {fastest.Groups} ({fastest.PredictedTimeToTarget:G4} {fastest.TimeUnit})."));
        return lines;
    }

    /// <summary>Levels whose best learning rate or momentum is the grid's smallest or largest value, e.g. "g=16: mu -0.6 is the lowest momentum".</summary>
    internal static List<string> GridEdges(IReadOnlyList<StudyLevel> levels, IReadOnlyList<double> lrs, IReadOnlyList<double> momenta)
    {
        var c = CultureInfo.InvariantCulture;
        var edges = new List<string>();
        foreach (var l in levels.Where(l => l.Status == TrialResult.Reached))
        {
            var what = TuningResult.GridEdges(l.BestLr, l.BestMomentum, lrs, momenta).Select(e => e.Momentum
                ? string.Create(c, $"mu {l.BestMomentum:0.##} is the {e.End} momentum")
                : string.Create(c, $"lr {l.BestLr:G4} is the {e.End} rate")).ToList();
            if (what.Count > 0) edges.Add($"g={l.Groups}: {string.Join(", ", what)}");
        }
        return edges;
    }

    private static string Fmt(PolicyChoice p) => double.IsFinite(p.Penalty)
        ? (p.Reached ? "" : "at least ") + p.Penalty.ToString("0.00", CultureInfo.InvariantCulture)
        : "n/a (nothing converged)";

    /// <summary>Reduction factor a / b: exact when both reached, a lower bound when only b reached, unknown otherwise.</summary>
    private static string Ratio(PolicyChoice a, PolicyChoice b)
    {
        if (!double.IsFinite(a.Penalty) || !double.IsFinite(b.Penalty) || !(b.Penalty > 0) || !b.Reached) return "n/a";
        return (a.Reached ? "" : "at least ") + (a.Penalty / b.Penalty).ToString("0.00", CultureInfo.InvariantCulture) + "x";
    }
}
