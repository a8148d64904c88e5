using System.Diagnostics;
using System.Globalization;
using Polyak.Data;
using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>
/// <c>polyak optimize</c>: chooses the number of compute groups g, the learning rate and the momentum that minimise the
/// predicted time to target = (updates to target) x (time per update), then trains with it, re-tuning as it goes.
/// <para>Cold start: measure the time per update of g = 1, 2, 4, ... (hardware efficiency) and stop adding groups once it
/// improves by less than <see cref="OptimizeRequest.MinImprovement"/>; at each level a short tune (momentum grid with
/// negative values, learning rates {previous best, previous best / 10}) scored at the end of a fixed short budget, with
/// monotonicity pruning (a level never tries a momentum above the previous level's best: more groups give more implicit
/// momentum; and the tuner's divergence pruning); the predicted updates to target are the measured ones, or the log-linear
/// extrapolation of the best run's last half; pick the lowest predicted time.</para>
/// <para>Steady state: train in epochs of <see cref="OptimizeRequest.EpochShare"/> of the budget; after each, re-tune from
/// the latest checkpoint for <see cref="OptimizeRequest.RetuneShare"/> of an epoch (learning rate stays or drops 10x,
/// momentum over the grid); if the best momentum is the grid's lower bound, halve g (the checkpoint is rebased onto the
/// new groups) and re-tune there. Every measurement and choice is an <see cref="OptimizeDecision"/>.</para>
/// </summary>
public sealed class ConfigurationOptimizer
{
    private readonly List<OptimizeDecision> _decisions = [];

    /// <summary>Informational messages.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Runs the optimizer; throws <see cref="ArgumentException"/> for bad input or a budget too small to measure.</summary>
    public OptimizeResult Run(OptimizeRequest request, CancellationToken cancel = default, DataSplit? data = null)
    {
        request.Validate();
        var wall = Stopwatch.StartNew();
        var c = CultureInfo.InvariantCulture;
        var baseOptions = request.Base with { AutoMomentum = null, Epochs = null, TimeSeconds = null, Updates = null, OutDir = null, CheckpointEvery = null, Schedule = request.Base.Schedule ?? "constant" };
        data ??= Trainer.LoadData(baseOptions);
        var runner = new TrainerTrialRunner(data, baseOptions.Seed);
        bool simulated = baseOptions.Backend.Equals("simulated", StringComparison.OrdinalIgnoreCase);
        string unit = simulated ? "simulated s" : "s";
        double target = baseOptions.TargetLoss!.Value;
        double budget = request.TimeBudget;
        double cost = 0;
        long coldUpdates = 0;

        // Cold start, 1: hardware efficiency per level.
        var levels = request.Levels();
        var timePerUpdate = new Dictionary<int, double>();
        double lr0 = double.NaN;
        var candidates = new List<int>();
        foreach (int g in levels)
        {
            cancel.ThrowIfCancellationRequested();
            var probeOptions = baseOptions with { Groups = g, Momentum = 0, Updates = request.ProbeUpdates, TargetLoss = null, EvalEvery = int.MaxValue };
            if (!double.IsNaN(lr0)) probeOptions = probeOptions with { LearningRate = lr0 / 10 };
            var probe = new Trainer { WriteFiles = false }.Run(probeOptions, cancel, data);
            if (double.IsNaN(lr0)) lr0 = baseOptions.LearningRate ?? probe.Record.Config.LearningRate!.Value;
            double tpu = TimePerUpdate(probe.Record.Summary, simulated);
            double probeCost = TimeOf(probe.Record.Summary, simulated);
            cost += probeCost;
            coldUpdates += probe.Record.Summary.Updates;
            if (g == levels[0] && probeCost > budget)
                throw new ArgumentException(string.Create(c, $"--time-budget {budget} {unit} is too small to measure: probing the time per update of g = {g} alone took {probeCost:G4} {unit}"));
            timePerUpdate[g] = tpu;
            if (candidates.Count > 0)
            {
                double previous = timePerUpdate[candidates[^1]];
                double improvement = 1 - tpu / previous;
                if (improvement < request.MinImprovement)
                {
                    Decide("hardware", g, double.NaN, double.NaN, "time/update", tpu, false,
                        string.Create(c, $"improves {improvement:P0} on g = {candidates[^1]} (< {request.MinImprovement:P0}): stop adding groups"));
                    break;
                }
                Decide("hardware", g, double.NaN, double.NaN, "time/update", tpu, true, string.Create(c, $"improves {improvement:P0} on g = {candidates[^1]}"));
            }
            else Decide("hardware", g, double.NaN, double.NaN, "time/update", tpu, true, "first level");
            candidates.Add(g);
        }

        // Cold start, 2: a short tune per candidate level, chained (lr {previous best, /10}; momenta <= previous best).
        double prevLr = lr0, prevMu = double.PositiveInfinity;
        (int G, double Lr, double Mu, double Time, double Updates)? choice = null;
        var tuner = new Tuner(runner, new TuningJournal(null));
        foreach (int g in candidates)
        {
            cancel.ThrowIfCancellationRequested();
            var mus = request.Momenta.Where(m => m <= prevMu + 1e-12).ToArray();
            var pruned = request.Momenta.Where(m => m > prevMu + 1e-12).ToArray();
            if (pruned.Length > 0)
                Decide("tune", g, double.NaN, double.NaN, "pruned momenta", pruned.Length, false,
                    string.Create(c, $"monotonicity: momenta {string.Join(", ", pruned)} above the best {prevMu} of the previous level are skipped"));
            var tune = tuner.Run(new TuningRequest
            {
                Base = baseOptions with { Groups = g },
                LearningRates = [prevLr, TuningRequest.RoundSignificant(prevLr / 10, 3)],
                Momenta = mus,
                Budget = request.TuneUpdates,
                EvalEvery = (int)Math.Max(1, request.TuneUpdates / 30),
            }, cancel);
            foreach (var t in tune.Trials.Where(t => t.Status != TrialResult.Pruned))
            {
                cost += simulated ? t.Updates * t.TimePerUpdate : t.WallSeconds;
                coldUpdates += t.Updates;
            }
            foreach (var p in tune.Points)
                Decide("tune", g, p.LearningRate, p.Momentum, "loss at end", p.Median.FinalLoss, false,
                    p.Status == TrialResult.Reached ? $"reached target at {p.ScoreText}" : p.Status);
            var best = tune.Best;
            if (best is null || best.Status is not (TrialResult.Reached or TrialResult.Censored))
            {
                Decide("choose", g, double.NaN, double.NaN, "predicted time", double.PositiveInfinity, false, "every run diverged: level dropped");
                continue;
            }
            double updates = PredictUpdates(best.Median, target);
            double predicted = updates * timePerUpdate[g];
            Decide("choose", g, best.LearningRate, best.Momentum, "predicted time", predicted, false,
                string.Create(c, $"best of level: {updates:G4} updates to target ({(best.Status == TrialResult.Reached ? "measured" : "extrapolated")}) x {timePerUpdate[g]:G4} {unit}/update"));
            if (choice is null || predicted < choice.Value.Time) choice = (g, best.LearningRate, best.Momentum, predicted, updates);
            prevLr = best.LearningRate;
            prevMu = best.Momentum;
        }
        if (choice is not { } chosen)
            throw new InvalidOperationException("optimize: every level's tuning runs diverged; lower --lr");
        Decide("choose", chosen.G, chosen.Lr, chosen.Mu, "predicted time", chosen.Time, true,
            string.Create(c, $"lowest predicted time to target ({chosen.Updates:G4} updates x {timePerUpdate[chosen.G]:G4} {unit}/update)"));
        double coldCost = cost;
        double coldWall = wall.Elapsed.TotalSeconds;
        if (coldCost >= budget)
            throw new ArgumentException(string.Create(c,
                $"--time-budget {budget} {unit} is too small: the cold start alone (time probes and short tunes) took {coldCost:G4} {unit}, leaving no time to train; raise --time-budget or lower --tune-updates"));
        Log?.Invoke(string.Create(c, $"optimize: cold start chose g = {chosen.G}, lr {chosen.Lr}, mu {chosen.Mu} (predicted {chosen.Time:G4} {unit}); cold start cost {coldCost:G4} {unit}, {coldUpdates} updates"));

        // Steady state: epochs of training, each followed by a short re-tune from the checkpoint.
        string outDir = Path.GetFullPath(request.OutDir ?? Path.Combine("runs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-optimize"));
        string runDir = Path.Combine(outDir, "run");
        Directory.CreateDirectory(outDir);
        double epoch = request.EpochShare * budget;
        int groups = chosen.G;
        double lr = chosen.Lr, mu = chosen.Mu;
        double clock = 0, trainTime = 0, retuneCost = 0;
        TrainingResult? main = null;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            double remaining = budget - cost;
            if (remaining <= 0)
            {
                Decide("steady", groups, lr, mu, "budget left", remaining, false, "time budget used up");
                break;
            }
            double segment = Math.Min(epoch, remaining);
            double limit = clock + segment;
            double m = mu;
            var trainer = new Trainer { Log = Log, Configure = ctx => ctx.Server.Momentum = m };
            main = main is null
                ? trainer.Run(baseOptions with { Groups = groups, LearningRate = lr, Momentum = mu, TimeSeconds = limit, OutDir = runDir,
                    EvalEvery = baseOptions.EvalEvery ?? (int)Math.Max(1, request.TuneUpdates / 30) }, cancel, data)
                : trainer.Resume(runDir, o => o with { LearningRate = lr, TimeSeconds = limit, Updates = null, Epochs = null, TargetLoss = target }, cancel, data);
            double end = TimeOf(main.Record.Summary, simulated);
            trainTime += end - clock;
            cost += end - clock;
            clock = end;
            Decide("epoch", groups, lr, mu, "eval loss", main.Record.Summary.FinalLoss, false,
                string.Create(c, $"trained to {main.Record.Summary.Updates} updates, {trainTime:G4} {unit}: {main.Record.Status}"));
            if (main.Status != RunStatus.Completed) break;
            if (budget - cost <= 0) continue;

            // Re-tune from the checkpoint for a share of an epoch: lr {same, /10} x momentum grid.
            var state = CheckpointFile.Read(Path.Combine(runDir, CheckpointFile.FileName)).State;
            double tpu = TimePerUpdate(main.Record.Summary, simulated);
            var (bestLr, bestMu, spent) = Retune(runDir, state.Version, clock, groups, lr, request, tpu, data, simulated, cancel);
            retuneCost += spent;
            cost += spent;
            if (Math.Abs(bestMu - request.Momenta.Min()) < 1e-12 && groups > 1)
            {
                int halved = groups / 2;
                while (halved > 1 && request.Base.Workers % halved != 0) halved--;
                Decide("halve", halved, bestLr, bestMu, "groups", halved, true,
                    string.Create(c, $"best momentum {bestMu} is the grid's lower bound: asynchrony gives more momentum than wanted; g {groups} -> {halved}"));
                Rebase(runDir, halved);
                groups = halved;
                if (simulated) clock = 0; // a rebased simulation starts a new clock
                (bestLr, bestMu, spent) = Retune(runDir, state.Version, clock, groups, bestLr, request, double.NaN, data, simulated, cancel);
                retuneCost += spent;
                cost += spent;
            }
            Decide("retune", groups, bestLr, bestMu, "chosen", 0, true,
                bestLr < lr ? "learning rate drops 10x" : "learning rate stays");
            lr = bestLr;
            mu = bestMu;
        }

        var result = new OptimizeResult
        {
            Groups = chosen.G,
            LearningRate = chosen.Lr,
            Momentum = chosen.Mu,
            PredictedTimeToTarget = chosen.Time,
            FinalGroups = groups,
            FinalLearningRate = lr,
            FinalMomentum = mu,
            ReachedTarget = main?.Record.Summary.UpdatesToTarget is not null,
            TrainingTime = trainTime,
            ColdStartCost = coldCost,
            RetuneCost = retuneCost,
            ColdStartUpdates = coldUpdates,
            ColdStartWallSeconds = coldWall,
            WallSeconds = wall.Elapsed.TotalSeconds,
            TimeUnit = unit,
            Status = main?.Record.Status ?? "none",
            RunDir = main?.RunDir,
            Decisions = _decisions.ToArray(),
        };
        Json.WriteFileAtomic(Path.Combine(outDir, "optimize.json"), result);
        var csv = new System.Text.StringBuilder("phase,groups,lr,momentum,measure,value,chosen,reason\n");
        foreach (var d in _decisions)
        {
            // Empty cells for values a phase does not have (a probe's lr and mu), lowercase booleans: as the other CSV files.
            static string Cell(double x) => double.IsFinite(x) ? x.ToString("G6", CultureInfo.InvariantCulture) : "";
            csv.Append(c, $"{d.Phase},{d.Groups},{Cell(d.LearningRate)},{Cell(d.Momentum)},{d.Measure},{Cell(d.Value)},{(d.Chosen ? "true" : "false")},\"{d.Reason.Replace("\"", "'", StringComparison.Ordinal)}\"\n");
        }
        Trainer.WriteTextAtomic(Path.Combine(outDir, "decisions.csv"), csv.ToString());
        // The main run's record carries the decisions too (run.json gains an "optimize" section).
        string runJson = Path.Combine(runDir, "run.json");
        if (File.Exists(runJson) && System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(runJson)) is System.Text.Json.Nodes.JsonObject node)
        {
            node["optimize"] = System.Text.Json.JsonSerializer.SerializeToNode(result, Json.Indented);
            Trainer.WriteTextAtomic(runJson, node.ToJsonString(Json.Indented));
        }
        return result;
    }

    private (double Lr, double Mu, double Cost) Retune(string runDir, long version, double startClock, int groups, double lr, OptimizeRequest request, double tpu,
        DataSplit data, bool simulated, CancellationToken cancel)
    {
        var c = CultureInfo.InvariantCulture;
        double[] lrs = [lr, TuningRequest.RoundSignificant(lr / 10, 3)];
        // The current momentum is always a candidate (staying put is an option), with the grid.
        double current = _decisions.LastOrDefault(d => d.Chosen && d.Phase is "choose" or "retune")?.Momentum ?? double.NaN;
        var momenta = request.Momenta.Append(current).Where(double.IsFinite).Distinct().Order().ToArray();
        int trials = lrs.Length * momenta.Length;
        double share = request.RetuneShare * request.EpochShare * request.TimeBudget;
        long updates = double.IsFinite(tpu) && tpu > 0 ? (long)(share / trials / tpu) : request.TuneUpdates;
        updates = Math.Max(request.TuneUpdates / 3, updates); // shorter trials only measure noise
        double spent = 0;
        (double Lr, double Mu, int Class, double Score)? best = null;
        foreach (double l in lrs)
        {
            foreach (double m in momenta)
            {
                cancel.ThrowIfCancellationRequested();
                var run = new Trainer { WriteFiles = false, Configure = ctx => ctx.Server.Momentum = m }
                    .Resume(runDir, o => o with { LearningRate = l, Updates = version + updates, TimeSeconds = null, Epochs = null, EvalEvery = (int)Math.Max(1, updates / 10) }, cancel, data);
                var s = run.Record.Summary;
                spent += Math.Max(0, TimeOf(s, simulated) - startClock);
                int cls = run.Status == RunStatus.ReachedTarget ? 0 : run.Status == RunStatus.Completed ? 1 : 2;
                double score = cls == 0 ? s.UpdatesToTarget!.Value : cls == 1 ? s.FinalLoss : double.PositiveInfinity;
                Decide("retune", groups, l, m, cls == 0 ? "updates to target" : "loss at end", score, false,
                    string.Create(c, $"{updates} updates from update {version}: {run.Record.Status}"));
                if (best is null || cls < best.Value.Class || (cls == best.Value.Class && score < best.Value.Score)) best = (l, m, cls, score);
            }
        }
        if (best is null || best.Value.Class == 2) return (lrs[1], 0, spent);
        return (best.Value.Lr, best.Value.Mu, spent);
    }

    /// <summary>Rewrites a run's checkpoint onto <paramref name="groups"/> compute groups (fresh batch streams and simulator state).</summary>
    private static void Rebase(string runDir, int groups)
    {
        string path = Path.Combine(runDir, CheckpointFile.FileName);
        var (state, w, v) = CheckpointFile.Read(path);
        var rebased = state with
        {
            Config = state.Config with { Groups = groups },
            SamplesDrawn = new long[groups],
            Backend = null,
        };
        CheckpointFile.Write(path, rebased, w, v);
    }

    /// <summary>
    /// Predicted updates to target from a short run: measured when it reached the target, else the log-linear
    /// extrapolation of its last half (infinite when the loss did not fall).
    /// </summary>
    public static double PredictUpdates(TrialResult run, double target)
    {
        if (run.Status == TrialResult.Reached && run.UpdatesToTarget is long u) return u;
        if (run.CurveUpdates.Length < 2) return double.PositiveInfinity;
        long u1 = run.CurveUpdates[^1];
        double l1 = run.CurveLoss[^1];
        int half = Array.FindIndex(run.CurveUpdates, x => x >= u1 / 2);
        if (half < 0 || half >= run.CurveUpdates.Length - 1) half = 0;
        long u0 = run.CurveUpdates[half];
        double l0 = run.CurveLoss[half];
        if (!(l1 > 0 && l0 > l1) || u1 <= u0 || !(target > 0)) return double.PositiveInfinity;
        double rate = Math.Log(l0 / l1) / (u1 - u0);
        return u1 + Math.Log(l1 / target) / rate;
    }

    private static double TimeOf(RunSummary s, bool simulated) => simulated ? s.SimulatedSeconds ?? 0 : s.WallSeconds;

    /// <summary>Time per update of a run: simulated seconds, or wall seconds of training (evaluations outside the clock when none ran during training).</summary>
    private static double TimePerUpdate(RunSummary s, bool simulated) =>
        (simulated ? s.SimulatedSeconds ?? double.NaN : s.WallSeconds) / Math.Max(1, s.Updates);

    private void Decide(string phase, int groups, double lr, double mu, string measure, double value, bool chosen, string reason)
    {
        var d = new OptimizeDecision(phase, groups, lr, mu, measure, value, chosen, reason);
        _decisions.Add(d);
        static string Num(double x, string format) => double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "-";
        Log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"  [{phase}] g={groups} lr={Num(lr, "G4")} mu={Num(mu, "G3")} {measure}={Num(value, "G4")}{(chosen ? " *" : "")} {reason}"));
    }
}
