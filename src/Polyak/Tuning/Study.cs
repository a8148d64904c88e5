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
        var extensions = new List<string>();
        for (int round = 0; ; round++)
        {
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
            var analysed = Analyse(request, tunings, clock.Elapsed.TotalSeconds);
            var extended = round < request.ExtendEdgeRounds ? Extend(request, analysed) : null;
            if (extended is null)
            {
                if (request.ExtendEdgeRounds > 0)
                    extensions.Add(GridEdges(analysed.Levels).Count == 0 ? "every policy's best point is inside the grid"
                        : round >= request.ExtendEdgeRounds ? $"stopped after {request.ExtendEdgeRounds} round(s) with points still on the edge" : "the edges left are at the momentum bounds [-0.9, 0.99]");
                if (extensions.Count > 0) analysed = analysed with { Reading = [.. analysed.Reading, $"Grid extension (--extend-edges): {string.Join("; ", extensions)}."] };
                if (request.ResolvedPolicies.Count > 1) analysed = ComparePolicies(request, analysed, tunings, tuner, cancel, clock);
                return request.AutoMomentum ? CompareAutoMomentum(request, analysed, tunings, tuner, cancel, clock) : analysed;
            }
            extensions.Add($"round {round + 1}: {extended.Value.What}");
            Log?.Invoke($"extending the grid (round {round + 1}): {extended.Value.What}");
            request = extended.Value.Request;
        }
    }

    /// <summary>
    /// <c>study --auto</c>: at every level, closed-loop momentum toward the best synchronous momentum with the learning
    /// rate searched over the study's grid (one run per rate and seed instead of one per rate, momentum and seed), against
    /// the level's full tune; adds the rows and their reading to <paramref name="main"/>.
    /// </summary>
    private StudyResult CompareAutoMomentum(StudyRequest request, StudyResult main, IReadOnlyList<(int Groups, TuningResult Result)> tuned,
        Tuner tuner, CancellationToken cancel, Stopwatch clock)
    {
        var c = CultureInfo.InvariantCulture;
        var sync = tuned.First(t => t.Groups == 1).Result.Best;
        if (sync is null || sync.Status != TrialResult.Reached)
            return main with { Reading = [.. main.Reading, "Auto momentum (--auto): not run, the synchronous level has no point that reached the target to take the target momentum from."] };
        var bounds = new Optimization.AutoMomentumOptions();
        double target = Math.Clamp(sync.Momentum, bounds.Min, bounds.Max);
        double reference = main.ReferenceUpdates;
        var rows = new List<AutoMomentumRow>();
        int executed = 0, reused = 0, pruned = 0;
        double cost = 0;
        foreach (var (g, full) in tuned.OrderBy(t => t.Groups))
        {
            Log?.Invoke(string.Create(c, $"auto momentum (target {target}), level g = {g}"));
            var auto = tuner.Run(request.AutoLevelRequest(g, target), cancel);
            executed += auto.RunsExecuted;
            reused += auto.RunsReused;
            pruned += auto.RunsPruned;
            cost += auto.CostSeconds;
            var best = full.Best;
            var autoBest = auto.Best;
            if (best is null || autoBest is null) continue;
            var atRate = auto.BestWhere(p => p.LearningRate == best.LearningRate);
            rows.Add(new AutoMomentumRow
            {
                Groups = g,
                Target = target,
                Auto = PolicyChoice.From(autoBest, reference),
                AutoAtTunedRate = atRate is null ? null : PolicyChoice.From(atRate, reference),
                Tuned = PolicyChoice.From(best, reference),
                RatioInterval = StudyBootstrap.RatioOfBest(auto, full),
                AutoRuns = auto.Points.Sum(p => p.Trials.Count),
                TunedRuns = full.Points.Sum(p => p.Trials.Count),
            });
        }
        var lines = new List<string>();
        string Num(PolicyChoice p) => p.Reached ? p.UpdatesToTarget.ToString("G4", c) : $">={p.UpdatesToTarget:G4}";
        lines.Add(string.Create(c, $"Auto momentum (--auto: --momentum auto:{target:0.###}, the best synchronous momentum; the learning rate searched alone) against the full tune, updates to target: ") +
            string.Join("; ", rows.Select(r => string.Create(c,
                $"g={r.Groups}: {Num(r.Auto)} (lr {r.Auto.LearningRate:G3}) vs {Num(r.Tuned)} (lr {r.Tuned.LearningRate:G3}, mu {r.Tuned.Momentum:0.##}), {RatioText(r.Ratio, r.Auto.Reached)}{(r.RatioInterval is { Degenerate: false } ci ? " " + ci.Text : "")}"))) + ".");
        var within = rows.Where(r => r.Auto.Reached && r.Ratio <= 1.2).Select(r => r.Groups).ToArray();
        var outside = rows.Where(r => !(r.Auto.Reached && r.Ratio <= 1.2)).Select(r => r.Groups).ToArray();
        lines.Add(outside.Length == 0 ? $"Auto momentum is within 1.2x of the tuned optimum at every level ({string.Join(", ", within)}) at the point estimate."
            : $"Auto momentum is within 1.2x of the tuned optimum at g = {(within.Length == 0 ? "none" : string.Join(", ", within))} and not at g = {string.Join(", ", outside)} (point estimates).");
        var atRates = rows.Where(r => r.AutoAtTunedRate is not null).Select(r => string.Create(c, $"g={r.Groups}: {Num(r.AutoAtTunedRate!)} ({RatioText(r.RatioAtTunedRate, r.AutoAtTunedRate!.Reached)})")).ToArray();
        if (atRates.Length > 0) lines.Add("Auto momentum at the tuned optimum's own learning rate: " + string.Join("; ", atRates) + ".");
        lines.Add(string.Create(c, $"Cost: auto searched {rows.Sum(r => r.AutoRuns)} runs against the full tune's {rows.Sum(r => r.TunedRuns)} (its target came from the g = 1 tune, counted in the latter)."));
        return main with
        {
            AutoMomentum = rows, Reading = [.. main.Reading, .. lines], WallSeconds = clock.Elapsed.TotalSeconds,
            RunsExecuted = main.RunsExecuted + executed, RunsReused = main.RunsReused + reused, RunsPruned = main.RunsPruned + pruned,
            CostSeconds = main.CostSeconds + cost,
        };
    }

    private static string RatioText(double ratio, bool reached) =>
        double.IsNaN(ratio) ? "no ratio (tuned optimum censored)" : string.Create(CultureInfo.InvariantCulture, $"{(reached ? "" : ">=")}{ratio:0.00}x");

    /// <summary>
    /// <c>study --policies</c>: runs every level again under each other staleness policy (the plain policy's runs are the
    /// study's own), then compares, per level, each policy alone (mu = 0) and combined with momentum tuning, and adds the
    /// comparison and its reading to <paramref name="main"/>.
    /// </summary>
    private StudyResult ComparePolicies(StudyRequest request, StudyResult main, IReadOnlyList<(int Groups, TuningResult Result)> plain,
        Tuner tuner, CancellationToken cancel, Stopwatch clock)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = new List<PolicyComparisonRow>();
        double reference = main.ReferenceUpdates;
        int executed = 0, reused = 0, pruned = 0;
        double cost = 0;
        foreach (string policy in request.ResolvedPolicies)
        {
            IReadOnlyList<(int Groups, TuningResult Result)> tunings = plain;
            if (policy != "none")
            {
                var list = new List<(int, TuningResult)>();
                var withPolicy = request with { Base = request.Base with { StalenessPolicy = policy } };
                foreach (int g in request.Levels.Order())
                {
                    Log?.Invoke($"policy {policy}, level g = {g}");
                    var tuned = tuner.Run(withPolicy.LevelRequest(g), cancel);
                    list.Add((g, tuned));
                    executed += tuned.RunsExecuted;
                    reused += tuned.RunsReused;
                    pruned += tuned.RunsPruned;
                    cost += tuned.CostSeconds;
                }
                tunings = list;
            }
            var boot = StudyBootstrap.Run(tunings);
            for (int i = 0; i < tunings.Count; i++)
            {
                var (g, result) = tunings[i];
                var level = main.Levels.First(l => l.Groups == g);
                rows.Add(new PolicyComparisonRow
                {
                    Policy = policy,
                    Groups = g,
                    MomentumZero = PolicyChoice.From(result.BestWhere(p => p.Momentum == 0), reference),
                    MomentumTuned = PolicyChoice.From(result.Best, reference),
                    TunedInterval = boot.Replicates > 0 ? boot.Levels[i].UpdatesToTarget : null,
                    // Measured under the policy itself: ssp:S makes groups wait, so its updates cost more time.
                    TimePerUpdate = policy == "none" ? level.TimePerUpdate : TimePerUpdate(result),
                });
            }
        }
        var lines = new List<string>();
        int last = request.Levels.Max();
        string Cell(PolicyChoice p) => p.Reached ? p.UpdatesToTarget.ToString("G4", c) : $">={p.UpdatesToTarget:G4}";
        var atLast = rows.Where(r => r.Groups == last).ToList();
        lines.Add($"Staleness policies at g = {last} (updates to target; mu = 0 / momentum tuned): " +
            string.Join("; ", atLast.Select(r => string.Create(c, $"{r.Policy} {Cell(r.MomentumZero)} / {Cell(r.MomentumTuned)} (mu {r.MomentumTuned.Momentum:0.##}){(r.TunedInterval is { Degenerate: false } ci ? " " + ci.Text : "")}"))) + ".");
        var plainRow = atLast.First(r => r.Policy == "none");
        var tunedPlain = plainRow.MomentumTuned;
        foreach (var r in atLast.Where(r => r.Policy != "none"))
        {
            // With intervals over seeds, "better" and "worse" need intervals that do not overlap.
            string overSeeds = r.TunedInterval is { Degenerate: false } a && plainRow.TunedInterval is { Degenerate: false } b
                ? !a.UpperIsBound && a.Upper < b.Lower ? " — the intervals do not overlap"
                  : !b.UpperIsBound && b.Upper < a.Lower ? " — the intervals do not overlap"
                  : " — but the intervals overlap: not distinguishable with these seeds"
                : "";
            string alone = !r.MomentumZero.Reached && !tunedPlain.Reached ? "neither reached the target"
                : r.MomentumZero.Reached != tunedPlain.Reached ? (r.MomentumZero.Reached ? $"{r.Policy} alone reached the target and momentum tuning alone did not" : $"momentum tuning alone reached the target and {r.Policy} alone did not")
                : r.MomentumZero.UpdatesToTarget < tunedPlain.UpdatesToTarget ? $"{r.Policy} alone beats momentum tuning alone"
                : r.MomentumZero.UpdatesToTarget == tunedPlain.UpdatesToTarget ? $"{r.Policy} alone matches momentum tuning alone" : $"momentum tuning alone beats {r.Policy} alone";
            string combined = r.MomentumTuned.Reached && tunedPlain.Reached
                ? r.MomentumTuned.UpdatesToTarget < tunedPlain.UpdatesToTarget ? $"combined they do better than momentum tuning alone ({r.MomentumTuned.UpdatesToTarget:G4} vs {tunedPlain.UpdatesToTarget:G4})"
                  : $"combining them does not improve on momentum tuning alone ({r.MomentumTuned.UpdatesToTarget:G4} vs {tunedPlain.UpdatesToTarget:G4})"
                : "the combination cannot be compared (censored)";
            lines.Add(string.Create(c, $"At g = {last}: {alone}; {combined}{overSeeds}."));
        }
        // Time, not only updates: a policy that makes groups wait (ssp) pays per update; dropped updates count as work.
        var timed = atLast.Where(r => double.IsFinite(r.PredictedTimeTuned)).OrderBy(r => r.PredictedTimeTuned).ToList();
        if (timed.Count > 1)
        {
            string unit = main.Levels.First(l => l.Groups == last).TimeUnit;
            lines.Add(string.Create(c, $"Predicted time to target at g = {last} (tuned point's updates x the time per update measured under each policy, {unit}): ") +
                string.Join("; ", timed.Select(r => string.Create(c, $"{r.Policy} {(r.MomentumTuned.Reached ? "" : ">=")}{r.PredictedTimeTuned:G4} ({r.TimePerUpdate:G3} per update)"))) +
                string.Create(c, $"; fastest: {timed[0].Policy}."));
        }
        lines.Add("Policy comparison: point estimates of the median over seeds; intervals where several seeds were run; each policy's learning rate and momentum tuned on the same grid; dropped updates count as work.");
        return main with
        {
            PolicyComparison = rows, Reading = [.. main.Reading, .. lines], WallSeconds = clock.Elapsed.TotalSeconds,
            RunsExecuted = main.RunsExecuted + executed, RunsReused = main.RunsReused + reused, RunsPruned = main.RunsPruned + pruned,
            CostSeconds = main.CostSeconds + cost,
        };
    }

    /// <summary>
    /// The request with one more value beyond every edge a policy's best point sits on (learning rates by the grid's own
    /// ratio at that end; momenta by its own step, within [-0.9, 0.99]), and what was added; null when nothing can be.
    /// </summary>
    internal static (StudyRequest Request, string What)? Extend(StudyRequest request, StudyResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var lrs = request.LearningRates.Distinct().Order().ToList();
        var mus = request.ResolvedMomenta.ToList();
        var added = new List<string>();
        // The edges each policy's choice flagged (PolicyChoice.For already applied which momentum ends count per policy).
        foreach (var l in result.Levels)
            foreach (var choice in new[] { l.Fixed09, l.Nonneg, l.WithNegative })
            {
                foreach (var (momentum, end) in choice.EdgeEnds)
                {
                    if (!momentum)
                    {
                        double next = end == "lowest" ? lrs[0] * lrs[0] / lrs[1] : lrs[^1] * lrs[^1] / lrs[^2];
                        if (!lrs.Contains(next) && next > 0 && double.IsFinite(next)) { lrs.Add(next); lrs.Sort(); added.Add(string.Create(c, $"lr {next:G4}")); }
                    }
                    else
                    {
                        double next = end == "lowest" ? Math.Max(-0.9, mus[0] - (mus[1] - mus[0])) : Math.Min(0.99, mus[^1] + (mus[^1] - mus[^2]));
                        next = Math.Round(next, 6);
                        if (!mus.Contains(next)) { mus.Add(next); mus.Sort(); added.Add(string.Create(c, $"mu {next:0.##}")); }
                    }
                }
            }
        if (added.Count == 0) return null;
        return (request with { LearningRates = lrs, Momenta = mus }, $"added {string.Join(", ", added)}");
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

        var lrs = request.LearningRates.Distinct().Order().ToArray();
        var momenta = request.ResolvedMomenta;
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
                Fixed09 = PolicyChoice.For(result, p => StudyRequest.IsFixed09(p.Momentum), refUpdates, lrs, momenta, false, false),
                Nonneg = PolicyChoice.For(result, p => p.Momentum >= 0, refUpdates, lrs, momenta, false, true),
                WithNegative = PolicyChoice.For(result, _ => true, refUpdates, lrs, momenta, true, true),
                PredictedExplicitMomentum = refMomentum - (1 - 1.0 / g),
                StalenessMean = best?.Median.StalenessMean ?? double.NaN,
                TimePerUpdate = time,
                TimeUnit = simulated ? "simulated s" : "s",
                HardwareEfficiency = time / refTime,
                Tuning = result,
                BestPoint = best,
            });
        }

        // Intervals over seeds: the bootstrap re-chooses every policy's best point in each replicate.
        var bootstrap = StudyBootstrap.Run(ordered);
        for (int i = 0; i < levels.Count; i++) levels[i] = levels[i] with { Intervals = bootstrap.Levels[i] };
        bool monotone = levels.Count > 1;
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
            Reading = Read(levels, monotone, reference.Groups, bootstrap),
            BootstrapReplicates = bootstrap.Replicates,
            ShareMonotone = bootstrap.ShareMonotone,
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
    private static List<string> Read(IReadOnlyList<StudyLevel> levels, bool monotone, int referenceGroups, StudyBootstrap boot)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>();
        bool hasBoot = boot.Replicates > 0;
        string share(double x) => (100 * x).ToString("0", c) + " %";
        var edges = GridEdges(levels);
        string mus = string.Join(", ", levels.Select(l => string.Create(c, $"g={l.Groups}: {l.BestMomentum:0.##}{Ties(l.WithNegative)}")));
        var tiedLevels = levels.Where(l => l.WithNegative.TiedMomenta.Count > 0).ToList();
        if (levels.Count == 1)
            lines.Add($"One level studied ({mus}): no trend in the level of asynchrony can be read.");
        else if (monotone)
        {
            // Monotone for every choice among tied points, or only for the tie-break's choices.
            bool robust = true;
            for (int i = 1; i < levels.Count; i++)
                if (!(levels[i].WithNegative.CandidateMomenta.Max() <= levels[i - 1].WithNegative.CandidateMomenta.Min())) robust = false;
            string overSeeds = !hasBoot ? ""
                : boot.ShareMonotone >= 0.95 ? $" It holds in {share(boot.ShareMonotone)} of {boot.Replicates:N0} bootstrap replicates over seeds."
                : $" But it holds in only {share(boot.ShareMonotone)} of {boot.Replicates:N0} bootstrap replicates over seeds: not established by these seeds.";
            lines.Add((robust
                ? $"The best explicit momentum is non-increasing in the level of asynchrony ({mus}), as the theory predicts."
                : $"The best explicit momentum is non-increasing in the level of asynchrony with the tie-break's choices ({mus}), but not for every choice among the tied points at g = {string.Join(", ", tiedLevels.Select(l => l.Groups))}: the data do not decide it.") + overSeeds);
        }
        else
        {
            var breaks = new List<string>();
            for (int i = 1; i < levels.Count; i++)
                if (!(levels[i].BestMomentum <= levels[i - 1].BestMomentum)) breaks.Add($"g={levels[i - 1].Groups} to g={levels[i].Groups}");
            lines.Add($"The best explicit momentum is NOT monotone in the level of asynchrony ({mus}); it rises from {string.Join(", ", breaks)}.");
        }
        // "Negative at g" holds only where every tied choice is negative.
        var negative = levels.Where(l => l.WithNegative.CandidateMomenta.Any() && l.WithNegative.CandidateMomenta.All(m => m < 0)).Select(l => l.Groups.ToString(c)).ToArray();
        var undecided = levels.Where(l => l.WithNegative.CandidateMomenta.Any(m => m < 0) && l.WithNegative.CandidateMomenta.Any(m => m >= 0)).ToArray();
        string negativeOverSeeds = "";
        if (hasBoot && negative.Length > 0)
        {
            var shares = levels.Where(l => negative.Contains(l.Groups.ToString(c))).Select(l => (l.Groups, l.Intervals?.ShareNegative ?? double.NaN, Held: l.Intervals?.BestMomentum is { } mi && mi.Upper < 0)).ToArray();
            var held = shares.Where(s => s.Held).Select(s => s.Groups).ToArray();
            negativeOverSeeds = $" Over seeds it is best in {string.Join(", ", shares.Select(s => $"{share(s.Item2)} (g={s.Groups})"))} of the bootstrap replicates; " +
                (held.Length == shares.Length ? "negative within the 95 % interval at every such level."
                 : held.Length == 0 ? "its 95 % interval reaches non-negative momenta at every such level, so negative momentum is not established."
                 : $"negative within the 95 % interval only at g = {string.Join(", ", held)}.");
        }
        lines.Add(negative.Length > 0
            ? $"Negative momentum is chosen at g = {string.Join(", ", negative)}.{negativeOverSeeds}"
            : undecided.Length > 0 ? "No level chooses negative momentum unambiguously."
            : levels.Any(l => l.BestMomentum == 0) ? "No level chooses negative momentum; the most asynchronous levels choose mu = 0." : "No level chooses negative or zero momentum.");
        foreach (var l in undecided)
            lines.Add(string.Create(c, $"At g = {l.Groups} negative and non-negative momenta tie ({string.Join(" and ", l.WithNegative.CandidateMomenta.Order().Select(m => m.ToString("0.##", c)))}, {l.UpdatesToTarget:G6} updates each): whether negative momentum is best there is not decided by these runs."));
        var last = levels[^1];
        if (levels.Count > 1)
        {
            var li = last.Intervals;
            string ci(BootstrapInterval? x) => hasBoot && x is not null && !x.Degenerate ? " " + x.Text : "";
            lines.Add(string.Create(c, $"At the most asynchronous level (g = {last.Groups}) the statistical penalty is {Fmt(last.Fixed09)}{ci(li?.PenaltyFixed09)} with mu fixed at 0.9, {Fmt(last.Nonneg)}{ci(li?.PenaltyNonneg)} with mu tuned over non-negative values and {Fmt(last.WithNegative)}{ci(li?.PenaltyWithNegative)} with negative values allowed: tuning momentum reduces it {Ratio(last.Fixed09, last.Nonneg)}{ci(li?.ReductionTuning)}, and allowing negative momentum a further {Ratio(last.Nonneg, last.WithNegative)}{ci(li?.ReductionNegative)} ({Ratio(last.Fixed09, last.WithNegative)}{ci(li?.ReductionAll)} in all).")
                + (hasBoot ? " Brackets: 95 % bootstrap intervals over seeds." : ""));
            if (hasBoot && li?.ReductionNegative is { Degenerate: false } rn && rn.Contains(1))
                lines.Add(string.Create(c, $"The further reduction from negative momentum at g = {last.Groups} has an interval {rn.Text} that contains 1: these seeds do not show that negative momentum helps there."));
            if (hasBoot && li?.ReductionTuning is { Degenerate: false } rt && rt.Contains(1))
                lines.Add(string.Create(c, $"The reduction from tuning momentum at g = {last.Groups} has an interval {rt.Text} that contains 1: these seeds do not show that tuning helps there."));
            bool tunedBeatsFixed = levels.All(l => l.WithNegative.NoWorseThan(l.Fixed09));
            lines.Add(tunedBeatsFixed ? "At every level the tuned penalty is at most the fixed-0.9 penalty." : "At some level the tuned penalty exceeds the fixed-0.9 penalty (a finer grid or more seeds may be needed).");
            var theory = string.Join(", ", levels.Select(l => string.Create(c, $"g={l.Groups}: predicted {l.PredictedExplicitMomentum:0.##}, measured {l.BestMomentum:0.##}")));
            lines.Add($"Theory (implicit momentum 1 - 1/g, explicit = best synchronous mu - implicit): {theory}.");
        }
        if (edges.Count > 0)
            lines.Add($"Best points on the edge of the grid (the optimum may lie outside it, and a penalty or reduction factor computed from them is uncertain; extend --lrs / --momenta): {string.Join("; ", edges)}.");
        if (levels.Any(l => l.Status == TrialResult.Censored))
            lines.Add($"Censored levels (no run reached the target within the budget; their penalties are lower bounds): g = {string.Join(", ", levels.Where(l => l.Status == TrialResult.Censored).Select(l => l.Groups))}.");
        if (referenceGroups != 1) lines.Add($"No synchronous level was studied: penalties are relative to g = {referenceGroups}.");
        if (!hasBoot) lines.Add("One seed per point: no intervals over seeds can be given (run with --seeds 3 or more; an odd count keeps the median a run).");
        else if (boot.Seeds % 2 == 0) lines.Add($"{boot.Seeds} seeds per point: with an even count the median is the mean of the two middle runs (an odd count keeps it a run).");
        // Only levels that reached the target have a predicted time; a censored level's is a lower bound and cannot win.
        var fastest = levels.Where(l => l.Status == TrialResult.Reached && double.IsFinite(l.PredictedTimeToTarget)).MinBy(l => l.PredictedTimeToTarget);
        if (fastest is not null)
        {
            var beatenBounds = levels.Where(l => l.Status == TrialResult.Censored && l.PredictedTimeToTarget < fastest.PredictedTimeToTarget).Select(l => l.Groups).ToArray();
            lines.Add(string.Create(c, $"Predicted time to target is lowest at g = {fastest.Groups} ({fastest.PredictedTimeToTarget:G4} {fastest.TimeUnit}) among the levels that reached the target") +
                (beatenBounds.Length > 0 ? $"; censored g = {string.Join(", ", beatenBounds)} have lower bounds below it, so it may not be the fastest." : "."));
        }
        return lines;
    }

    /// <summary>
    /// Every policy's best point on an edge of the grid, per level, censored levels included, e.g.
    /// <c>g=16 mu=0.9: lr 0.001 is the lowest rate (censored)</c>.
    /// </summary>
    internal static List<string> GridEdges(IReadOnlyList<StudyLevel> levels)
    {
        var edges = new List<string>();
        foreach (var l in levels)
            foreach (var (name, choice) in new[] { ("mu=0.9", l.Fixed09), ("mu>=0", l.Nonneg), ("any mu", l.WithNegative) })
                if (choice.Edges.Count > 0)
                    edges.Add($"g={l.Groups} {name}: {string.Join(", ", choice.Edges)}{(choice.Reached ? "" : $" ({choice.Status})")}");
        return edges;
    }

    /// <summary><c> (tied with 0.3)</c> when the choice ties with other momenta, else empty.</summary>
    private static string Ties(PolicyChoice p) => p.TiedMomenta.Count == 0 ? ""
        : $" (tied with {string.Join(", ", p.TiedMomenta.Select(m => m.ToString("0.##", CultureInfo.InvariantCulture)))})";

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
