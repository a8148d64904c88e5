using System.Globalization;
using Polyak.Execution;
using Polyak.Tuning;

namespace Polyak.Training;

/// <summary>
/// Cold start, phase 2: a short tune per candidate level, chained (learning rates {previous best x 10, previous best,
/// previous best / 10}: both directions, since the best rate may rise with the level as well as fall;
/// momenta no higher than the previous level's best: more groups give more implicit momentum), scored at the end of a
/// fixed short budget; the predicted updates to target are the measured ones or the log-linear extrapolation of the best
/// run's last half (<see cref="PredictUpdates"/>); the level with the lowest predicted time to target is chosen.
/// </summary>
public static class ColdStartTuning
{
    /// <summary>Tunes every candidate of <paramref name="probe"/>.</summary>
    public static ColdStartResult Run(OptimizeRequest request, TrainingOptions baseOptions, ITrialRunner runner, HardwareProbeResult probe,
        DecisionLog decisions, CancellationToken cancel)
    {
        var c = CultureInfo.InvariantCulture;
        bool simulated = HardwareProbe.IsSimulated(baseOptions);
        string unit = simulated ? "simulated s" : "s";
        double target = baseOptions.TargetLoss!.Value;
        double prevLr = probe.BaseLearningRate, prevMu = double.PositiveInfinity, cost = 0;
        long updates = 0;
        LevelChoice? choice = null;
        var tuner = new Tuner(runner, new TuningJournal(null));
        foreach (int g in probe.Candidates)
        {
            cancel.ThrowIfCancellationRequested();
            var mus = request.Momenta.Where(m => m <= prevMu + 1e-12).ToArray();
            var pruned = request.Momenta.Where(m => m > prevMu + 1e-12).ToArray();
            if (pruned.Length > 0)
                decisions.Add("tune", g, double.NaN, double.NaN, "pruned momenta", pruned.Length, false,
                    string.Create(c, $"monotonicity: momenta {string.Join(", ", pruned)} above the best {prevMu} of the previous level are skipped"));
            var tune = tuner.Run(new TuningRequest
            {
                Base = baseOptions with { Groups = g },
                LearningRates = [TuningRequest.RoundSignificant(prevLr * 10, 3), prevLr, TuningRequest.RoundSignificant(prevLr / 10, 3)],
                Momenta = mus,
                Budget = request.TuneUpdates,
                EvalEvery = (int)Math.Max(1, request.TuneUpdates / 30),
            }, cancel);
            foreach (var t in tune.Trials.Where(t => t.Status != TrialResult.Pruned))
            {
                cost += simulated ? t.Updates * t.TimePerUpdate : t.WallSeconds;
                updates += t.Updates;
            }
            foreach (var p in tune.Points)
                decisions.Add("tune", g, p.LearningRate, p.Momentum, "loss at end", p.Median.FinalLoss, false,
                    p.Status == TrialResult.Reached ? $"reached target at {p.ScoreText}" : p.Status);
            var best = tune.Best;
            if (best is null || best.Status is not (TrialResult.Reached or TrialResult.Censored))
            {
                decisions.Add("choose", g, double.NaN, double.NaN, "predicted time", double.PositiveInfinity, false, "every run diverged: level dropped");
                continue;
            }
            double predictedUpdates = PredictUpdates(best.Median, target);
            double tpu = probe.TimePerUpdate[g];
            double predicted = predictedUpdates * tpu;
            decisions.Add("choose", g, best.LearningRate, best.Momentum, "predicted time", predicted, false,
                string.Create(c, $"best of level: {predictedUpdates:G4} updates to target ({(best.Status == TrialResult.Reached ? "measured" : "extrapolated")}) x {tpu:G4} {unit}/update"));
            if (choice is null || predicted < choice.PredictedTime) choice = new LevelChoice(g, best.LearningRate, best.Momentum, predicted, predictedUpdates);
            prevLr = best.LearningRate;
            prevMu = best.Momentum;
        }
        if (choice is { } chosen)
            decisions.Add("choose", chosen.Groups, chosen.LearningRate, chosen.Momentum, "predicted time", chosen.PredictedTime, true,
                string.Create(c, $"lowest predicted time to target ({chosen.PredictedUpdates:G4} updates x {probe.TimePerUpdate[chosen.Groups]:G4} {unit}/update)"));
        return new ColdStartResult(choice, cost, updates);
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
}
