using Polyak.Training;

namespace Polyak.Cli;

/// <summary>The <c>--json</c> line of <c>polyak optimize</c>.</summary>
/// <param name="Status">Final status of the main run.</param>
/// <param name="Groups">Groups chosen by the cold start.</param>
/// <param name="LearningRate">Learning rate chosen by the cold start.</param>
/// <param name="Momentum">Momentum chosen by the cold start.</param>
/// <param name="PredictedTimeToTarget">Predicted time to target of that choice.</param>
/// <param name="FinalGroups">Groups at the end.</param>
/// <param name="FinalLearningRate">Learning rate at the end.</param>
/// <param name="FinalMomentum">Momentum at the end.</param>
/// <param name="ReachedTarget">Whether the main run reached the target.</param>
/// <param name="TrainingTime">Training time of the main run.</param>
/// <param name="ColdStartCost">Cost of the cold start.</param>
/// <param name="ColdStartUpdates">Updates of the cold start.</param>
/// <param name="RetuneCost">Cost of re-tuning.</param>
/// <param name="TimeUnit">"simulated s" or "s".</param>
/// <param name="WallSeconds">Wall seconds of the command.</param>
/// <param name="Decisions">Number of decisions logged.</param>
/// <param name="RunDir">The main run's folder.</param>
/// <param name="PredictedUpdatesToTarget">The cold start's prediction of the chosen configuration's updates to target.</param>
/// <param name="MeasuredUpdatesToTarget">What the main run measured (null when it did not reach the target).</param>
/// <param name="PredictionRatio">Measured over predicted (null when either is unknown).</param>
public sealed record OptimizeSummary(string Status, int Groups, double LearningRate, double Momentum, double PredictedTimeToTarget,
    int FinalGroups, double FinalLearningRate, double FinalMomentum, bool ReachedTarget, double TrainingTime, double ColdStartCost,
    long ColdStartUpdates, double RetuneCost, string TimeUnit, double WallSeconds, int Decisions, string? RunDir,
    double PredictedUpdatesToTarget, double MeasuredUpdatesToTarget, double PredictionRatio)
{
    /// <summary>The summary of <paramref name="r"/>.</summary>
    public static OptimizeSummary Of(OptimizeResult r) => new(r.Status, r.Groups, r.LearningRate, r.Momentum, r.PredictedTimeToTarget,
        r.FinalGroups, r.FinalLearningRate, r.FinalMomentum, r.ReachedTarget, r.TrainingTime, r.ColdStartCost, r.ColdStartUpdates,
        r.RetuneCost, r.TimeUnit, r.WallSeconds, r.Decisions.Count, r.RunDir, r.PredictedUpdatesToTarget, r.MeasuredUpdatesToTarget, r.PredictionRatio);
}
