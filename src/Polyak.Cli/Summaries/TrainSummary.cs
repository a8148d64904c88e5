using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>The <c>--json</c> line of <c>polyak train</c> (field names are a contract: README, DESIGN section 4).</summary>
public sealed record TrainSummary
{
    /// <summary>How the run ended (<c>completed</c>, <c>reached_target</c>, <c>diverged</c>, <c>interrupted</c>, <c>failed</c>).</summary>
    public required string Status { get; init; }

    /// <summary>Updates applied.</summary>
    public long Updates { get; init; }

    /// <summary>Epochs of training data consumed.</summary>
    public double Epochs { get; init; }

    /// <summary>Evaluation loss before training.</summary>
    public double InitialLoss { get; init; }

    /// <summary>Evaluation loss after training.</summary>
    public double FinalLoss { get; init; }

    /// <summary>Test accuracy (null for regression).</summary>
    public double? FinalAccuracy { get; init; }

    /// <summary>Test loss.</summary>
    public double TestLoss { get; init; }

    /// <summary>Updates per second of training (evaluations excluded).</summary>
    public double UpdatesPerSecond { get; init; }

    /// <summary>Samples per second.</summary>
    public double SamplesPerSecond { get; init; }

    /// <summary>Seconds per update (null when none was applied).</summary>
    public double SecondsPerUpdate { get; init; }

    /// <summary>Training wall seconds.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Simulated seconds (simulator only).</summary>
    public double? SimulatedSeconds { get; init; }

    /// <summary>Staleness mean, max and histogram.</summary>
    public required StalenessSummary Staleness { get; init; }

    /// <summary>Whether the target loss was reached (null without a target).</summary>
    public bool? ReachedTarget { get; init; }

    /// <summary>First evaluated update at or below the target.</summary>
    public long? UpdatesToTarget { get; init; }

    /// <summary>Training seconds to the accuracy target (evaluation time excluded).</summary>
    public double? TimeToTarget { get; init; }

    /// <summary>Simulated seconds to the accuracy target, on the simulator.</summary>
    public double? SimulatedTimeToTarget { get; init; }

    /// <summary>The explicit momentum configured (the start value with auto momentum).</summary>
    public double? Momentum { get; init; }

    /// <summary>Base learning rate.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Workers N.</summary>
    public int Workers { get; init; }

    /// <summary>Compute groups g.</summary>
    public int? Groups { get; init; }

    /// <summary>Backend name.</summary>
    public required string Backend { get; init; }

    /// <summary>The run folder (null when none was written).</summary>
    public string? RunDir { get; init; }

    /// <summary>Closed-loop momentum control, when on.</summary>
    public AutoMomentumSummary? AutoMomentum { get; init; }

    /// <summary>The summary of <paramref name="result"/>.</summary>
    public static TrainSummary Of(TrainingResult result)
    {
        var r = result.Record;
        var s = r.Summary;
        return new TrainSummary
        {
            Status = r.Status,
            Updates = s.Updates,
            Epochs = s.Epochs,
            InitialLoss = s.InitialLoss,
            FinalLoss = s.FinalLoss,
            FinalAccuracy = s.FinalAccuracy,
            TestLoss = s.TestLoss,
            UpdatesPerSecond = s.UpdatesPerSecond,
            SamplesPerSecond = s.SamplesPerSecond,
            SecondsPerUpdate = s.SecondsPerUpdate,
            WallSeconds = s.WallSeconds,
            SimulatedSeconds = s.SimulatedSeconds,
            Staleness = s.Staleness,
            ReachedTarget = s.ReachedTarget,
            UpdatesToTarget = s.UpdatesToTarget,
            TimeToTarget = s.TimeToTarget,
            SimulatedTimeToTarget = s.SimulatedTimeToTarget,
            Momentum = r.Config.Momentum,
            LearningRate = r.Config.LearningRate,
            Workers = r.Config.Workers,
            Groups = r.Config.Groups,
            Backend = r.Config.Backend,
            RunDir = result.RunDir,
            AutoMomentum = r.AutoMomentum is { } a ? new AutoMomentumSummary(a.Target, a.TargetSource, a.Start, a.FinalExplicit, a.FinalTotal) : null,
        };
    }
}
