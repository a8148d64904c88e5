using Polyak.Data;
using Polyak.Optimization;

namespace Polyak.Execution;

/// <summary>
/// The record builder: turns a finished <see cref="TrainingSession"/> and its <see cref="SessionOutcome"/> into the
/// <see cref="RunRecord"/> (run.json): configuration, data and model, status, summary numbers, curve, staleness,
/// backend record, recipe and auto-momentum sections.
/// </summary>
public static class RunRecordBuilder
{
    /// <summary>
    /// The live record of a run still training (status <c>running</c>): the summary so far from the server's state and the
    /// curve (no test-split evaluation yet), and the process training it.
    /// </summary>
    public static RunRecord BuildRunning(TrainingSession session, AutoMomentumTargetOrigin? autoTarget = null)
    {
        var outcome = new SessionOutcome(RunStatus.Running, null, null, session.Server.GetState(), TrainingSession.NotEvaluated);
        return Build(session, outcome, autoTarget) with { Process = RunProcess.Current };
    }

    /// <summary>Builds the record.</summary>
    public static RunRecord Build(TrainingSession session, SessionOutcome outcome, AutoMomentumTargetOrigin? autoTarget = null)
    {
        var plan = session.Plan;
        var monitor = session.Monitor;
        var data = plan.Data;
        var model = plan.Model;
        var final = outcome.Final;
        var curve = monitor.Curve;
        double evalWallSeconds = monitor.EvalSeconds / (plan.Backend.EvaluatesInParallel ? Math.Max(1, plan.Groups) : 1);
        double trainSeconds = Math.Max(1e-9, monitor.WallSeconds - evalWallSeconds);
        var h = StalenessHistogram.FromCounts(final.Staleness);
        long updates = final.Version;
        var summary = new RunSummary
        {
            Updates = updates,
            Epochs = (double)updates * plan.Batch / data.Train.Count,
            InitialLoss = curve.Count > 0 ? curve[0].Loss : double.NaN,
            FinalLoss = curve.Count > 0 ? curve[^1].Loss : double.NaN,
            FinalAccuracy = model.IsClassifier && outcome.Test.Count > 0 ? outcome.Test.Accuracy : null,
            TestLoss = outcome.Test.Loss,
            WallSeconds = monitor.WallSeconds,
            EvalSeconds = monitor.EvalSeconds,
            EvalWallSeconds = evalWallSeconds,
            UpdatesPerSecond = updates / trainSeconds,
            SamplesPerSecond = updates * (double)plan.Batch / trainSeconds,
            SecondsPerUpdate = updates == 0 ? double.NaN : trainSeconds / updates,
            SimulatedSeconds = monitor.SimulatedClock?.Invoke(),
            Staleness = new StalenessSummary(h.Mean, Math.Max(0, h.Max), h.ToArray()),
            ReachedTarget = plan.TargetLoss is null && plan.TargetAccuracy is null ? null : monitor.TargetReachedAt is not null,
            UpdatesToTarget = monitor.TargetReachedAt,
            TimeToTarget = monitor.TargetReachedSeconds,
            SimulatedTimeToTarget = monitor.TargetReachedSimulatedSeconds,
            DroppedUpdates = plan.StalenessPolicy.Kind == Optimization.StalenessPolicyKind.Drop ? session.Server.Core.DroppedUpdates : null,
            BoundedStalenessWaits = session.Context.StalenessGate?.Waits,
            BoundedStalenessMaxLead = session.Context.StalenessGate?.MaxLeadAtRead,
        };
        var controller = session.Controller;
        return new RunRecord
        {
            PolyakVersion = PolyakVersion.Current,
            StartedUtc = session.StartedUtc,
            Status = RunStatusNames.Of(outcome.Status),
            StopReason = outcome.StopReason,
            Config = plan.Config,
            Data = new DataInfo(data.Description, data.Train.Count, data.Test.Count, data.EvalRows.Length, data.Train.FeatureCount, data.Train.ClassCount)
            {
                Fingerprint = DataFingerprint.Of(data),
            },
            Model = new ModelInfo(model.Name, model.ParameterCount, model.IsClassifier),
            Summary = summary,
            Curve = curve,
            Backend = session.Context.BackendRecord,
            Resumes = [.. session.Resumes],
            Recipe = plan.Recipe is { } rc
                ? new RecipeRecord(model.Name, rc.LearningRate, rc.Momentum, rc.Batch, rc.Cosine, rc.Evidence, plan.FromRecipe)
                : null,
            AutoMomentum = controller is null ? null : new AutoMomentumRecord
            {
                Target = controller.Target,
                TargetSource = (autoTarget ?? AutoMomentumTargetOrigin.Given).Source,
                Gain = controller.Options.Gain,
                Min = controller.Options.Min,
                Max = controller.Options.Max,
                Period = controller.Options.Period,
                Start = controller.Start,
                FinalExplicit = final.Momentum,
                FinalTotal = controller.Total,
                StalenessFallbacks = controller.StalenessFallbacks,
                WarmupVersions = controller.WarmupVersions,
                TuneSeconds = autoTarget?.TuneSeconds ?? 0,
                TuneUpdates = autoTarget?.TuneUpdates ?? 0,
                Series = controller.Series,
            },
        };
    }
}
