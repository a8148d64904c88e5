using Polyak.Execution;
using Polyak.Tuning;

namespace Polyak.Reporting;

/// <summary>The study report's CSV tables: per level, per policy, every grid point, and the best runs' loss curves.</summary>
public static class StudyTables
{
    /// <summary>The per-level table.</summary>
    public static CsvWriter Levels(StudyResult study)
    {
        var csv = new CsvWriter("groups", "workers", "best_lr", "best_momentum", "updates_to_target", "status", "updates_min", "updates_max",
            "penalty_fixed09", "penalty_nonneg", "penalty_with_negative", "implicit_momentum", "predicted_explicit_momentum", "total_momentum",
            "staleness_mean", "time_per_update", "time_unit", "hardware_efficiency", "predicted_time_to_target",
            "updates_ci_low", "updates_ci_high", "updates_ci_high_is_bound", "momentum_ci_low", "momentum_ci_high", "share_negative",
            "penalty_with_negative_ci_low", "penalty_with_negative_ci_high", "tied_momenta", "grid_edges");
        foreach (var l in study.Levels)
            csv.Integer(l.Groups).Integer(l.Workers).Number(l.BestLr).Number(l.BestMomentum).Number(l.UpdatesToTarget).Text(l.Status)
                .Number(l.UpdatesMin).Number(l.UpdatesMax).Number(l.PenaltyFixed09, "G4").Number(l.PenaltyNonneg, "G4").Number(l.PenaltyWithNegative, "G4")
                .Number(l.ImplicitMomentum, "G4").Number(l.PredictedExplicitMomentum, "G4").Number(l.TotalMomentum, "G4").Number(l.StalenessMean, "G4")
                .Number(l.TimePerUpdate, "G5").Text(l.TimeUnit).Number(l.HardwareEfficiency, "G4").Number(l.PredictedTimeToTarget, "G5")
                .Number(l.Intervals?.UpdatesToTarget?.Lower ?? double.NaN).Number(l.Intervals?.UpdatesToTarget?.Upper ?? double.NaN)
                .Boolean(l.Intervals?.UpdatesToTarget?.UpperIsBound ?? false)
                .Number(l.Intervals?.BestMomentum?.Lower ?? double.NaN).Number(l.Intervals?.BestMomentum?.Upper ?? double.NaN)
                .Number(l.Intervals?.ShareNegative ?? double.NaN, "G3")
                .Number(l.Intervals?.PenaltyWithNegative?.Lower ?? double.NaN, "G4").Number(l.Intervals?.PenaltyWithNegative?.Upper ?? double.NaN, "G4")
                .Text(string.Join(" ", l.WithNegative.TiedMomenta.Select(m => m.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))
                .Text(string.Join("; ", new[] { ("mu=0.9", l.Fixed09), ("mu>=0", l.Nonneg), ("any mu", l.WithNegative) }.SelectMany(x => x.Item2.Edges.Select(e => $"{x.Item1}: {e}"))))
                .EndRow();
        return csv;
    }

    /// <summary><c>study --policies</c>: each staleness policy per level, alone (mu = 0) and with momentum tuned.</summary>
    public static CsvWriter PolicyComparison(StudyResult study)
    {
        var csv = new CsvWriter("policy", "groups", "alone_updates_to_target", "alone_status", "alone_penalty", "tuned_learning_rate", "tuned_momentum",
            "tuned_updates_to_target", "tuned_status", "tuned_ci_low", "tuned_ci_high", "tuned_penalty", "time_per_update", "predicted_time_tuned");
        foreach (var r in study.PolicyComparison)
            csv.Text(r.Policy).Integer(r.Groups).Number(r.MomentumZero.UpdatesToTarget).Text(r.MomentumZero.Status).Number(r.MomentumZero.Penalty, "G4")
                .Number(r.MomentumTuned.LearningRate).Number(r.MomentumTuned.Momentum).Number(r.MomentumTuned.UpdatesToTarget).Text(r.MomentumTuned.Status)
                .Number(r.TunedInterval?.Lower ?? double.NaN).Number(r.TunedInterval?.Upper ?? double.NaN).Number(r.MomentumTuned.Penalty, "G4")
                .Number(r.TimePerUpdate, "G5").Number(r.PredictedTimeTuned, "G5").EndRow();
        return csv;
    }

    /// <summary><c>study --auto</c>: closed-loop momentum (learning rate searched alone) against the full tune, per level.</summary>
    public static CsvWriter AutoMomentum(StudyResult study)
    {
        var csv = new CsvWriter("groups", "target", "auto_learning_rate", "auto_updates_to_target", "auto_status", "tuned_learning_rate", "tuned_momentum",
            "tuned_updates_to_target", "tuned_status", "ratio", "ratio_ci_low", "ratio_ci_high", "ratio_ci_high_is_bound", "auto_at_tuned_lr_updates", "auto_at_tuned_lr_status",
            "ratio_at_tuned_lr", "auto_runs", "tuned_runs");
        foreach (var r in study.AutoMomentum)
            csv.Integer(r.Groups).Number(r.Target).Number(r.Auto.LearningRate).Number(r.Auto.UpdatesToTarget).Text(r.Auto.Status)
                .Number(r.Tuned.LearningRate).Number(r.Tuned.Momentum).Number(r.Tuned.UpdatesToTarget).Text(r.Tuned.Status)
                .Number(r.Ratio, "G4").Number(r.RatioInterval?.Lower ?? double.NaN, "G4").Number(r.RatioInterval?.Upper ?? double.NaN, "G4")
                .Text(r.RatioInterval is { UpperIsBound: true } ? "true" : "false")
                .Number(r.AutoAtTunedRate?.UpdatesToTarget ?? double.NaN).Text(r.AutoAtTunedRate?.Status ?? "")
                .Number(r.RatioAtTunedRate, "G4").Integer(r.AutoRuns).Integer(r.TunedRuns).EndRow();
        return csv;
    }

    /// <summary>The three momentum policies per level.</summary>
    public static CsvWriter Policies(StudyResult study)
    {
        var csv = new CsvWriter("groups", "policy", "learning_rate", "momentum", "updates_to_target", "status", "penalty");
        foreach (var l in study.Levels)
            foreach (var (name, p) in new[] { ("fixed09", l.Fixed09), ("nonneg", l.Nonneg), ("with_negative", l.WithNegative) })
                csv.Integer(l.Groups).Text(name).Number(p.LearningRate).Number(p.Momentum).Number(p.UpdatesToTarget).Text(p.Status).Number(p.Penalty, "G4").EndRow();
        return csv;
    }

    /// <summary>Every grid point of the given tunes.</summary>
    public static CsvWriter Grid(IEnumerable<(int Groups, TuningResult Tuning)> tunings)
    {
        var csv = new CsvWriter("groups", "learning_rate", "momentum", "status", "score", "median_updates", "updates_min", "updates_max", "reached", "seeds",
            "stopped_early", "median_final_loss");
        foreach (var (g, t) in tunings)
            foreach (var p in t.Points)
                csv.Integer(g).Number(p.LearningRate).Number(p.Momentum).Text(p.Status).Text(p.ScoreText).Number(p.MedianUpdates).Number(p.MinUpdates)
                    .Number(p.MaxUpdates).Integer(p.ReachedCount).Integer(p.Trials.Count).Boolean(p.StoppedEarly).Number(p.Median.FinalLoss).EndRow();
        return csv;
    }

    /// <summary>The loss curve of the best run of each level.</summary>
    public static CsvWriter Curves(StudyResult study)
    {
        var csv = new CsvWriter("groups", "update", "loss");
        foreach (var l in study.Levels)
            if (l.BestPoint?.Median is { } run)
                for (int i = 0; i < run.CurveUpdates.Length; i++) csv.Integer(l.Groups).Integer(run.CurveUpdates[i]).Number(run.CurveLoss[i], "G7").EndRow();
        return csv;
    }
}
