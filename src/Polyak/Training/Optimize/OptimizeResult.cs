namespace Polyak.Training;

/// <summary>The outcome of <c>polyak optimize</c>: the chosen configuration, the main run, every decision and the costs.</summary>
public sealed record OptimizeResult
{
    /// <summary>Compute groups chosen by the cold start.</summary>
    public required int Groups { get; init; }

    /// <summary>Learning rate chosen by the cold start.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Momentum chosen by the cold start.</summary>
    public required double Momentum { get; init; }

    /// <summary>Predicted time to target of the chosen configuration (time unit of the backend).</summary>
    public required double PredictedTimeToTarget { get; init; }

    /// <summary>Configuration at the end of training (after steady-state re-tuning).</summary>
    public required int FinalGroups { get; init; }

    /// <summary>Learning rate at the end.</summary>
    public required double FinalLearningRate { get; init; }

    /// <summary>Momentum at the end.</summary>
    public required double FinalMomentum { get; init; }

    /// <summary>Whether the main run reached the target.</summary>
    public required bool ReachedTarget { get; init; }

    /// <summary>Training time of the main run until the target (or the end), backend time unit.</summary>
    public required double TrainingTime { get; init; }

    /// <summary>Cold-start cost (probes + tuning), backend time unit.</summary>
    public required double ColdStartCost { get; init; }

    /// <summary>Steady-state re-tuning cost, backend time unit.</summary>
    public required double RetuneCost { get; init; }

    /// <summary>Updates spent by the cold start (probes + tuning runs).</summary>
    public required long ColdStartUpdates { get; init; }

    /// <summary>Wall seconds of the cold start.</summary>
    public required double ColdStartWallSeconds { get; init; }

    /// <summary>Wall seconds of the whole optimize command.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>Time unit: "simulated s" or "s".</summary>
    public required string TimeUnit { get; init; }

    /// <summary>Final status of the main run.</summary>
    public required string Status { get; init; }

    /// <summary>The main run's folder.</summary>
    public string? RunDir { get; init; }

    /// <summary>Every decision, in order.</summary>
    public required IReadOnlyList<OptimizeDecision> Decisions { get; init; }

    /// <summary>The cold start's prediction of the chosen configuration's updates to target.</summary>
    public double PredictedUpdatesToTarget { get; init; } = double.NaN;

    /// <summary>What the main run then measured (NaN when it did not reach the target).</summary>
    public double MeasuredUpdatesToTarget { get; init; } = double.NaN;

    /// <summary>Measured over predicted updates to target (1 = exact; NaN when either is unknown).</summary>
    public double PredictionRatio => MeasuredUpdatesToTarget / PredictedUpdatesToTarget;
}
