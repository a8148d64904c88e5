using System.Text.Json;

namespace Polyak.Execution;

/// <summary>
/// Everything needed to continue a run exactly where it stopped, except the parameter and momentum vectors
/// (stored as raw floats beside it): configuration, version, staleness counts, per-group sample counts (the whole
/// state of each batch stream), the current momentum, the loss curve and timers so far, and backend state.
/// </summary>
public sealed record CheckpointState
{
    /// <summary>Polyak version that wrote it.</summary>
    public required string PolyakVersion { get; init; }

    /// <summary>The run's resolved configuration.</summary>
    public required TrainingOptions Config { get; init; }

    /// <summary>Parameter count (must match the model on resume).</summary>
    public required int ParameterCount { get; init; }

    /// <summary>Updates applied.</summary>
    public required long Version { get; init; }

    /// <summary>Staleness counts (index = staleness).</summary>
    public required long[] Staleness { get; init; }

    /// <summary>Rows drawn so far by each group's batch stream.</summary>
    public required long[] SamplesDrawn { get; init; }

    /// <summary>Explicit momentum in force.</summary>
    public required double Momentum { get; init; }

    /// <summary>Loss curve so far.</summary>
    public required List<EvalPoint> Curve { get; init; }

    /// <summary>Training wall seconds so far.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>Evaluation seconds so far.</summary>
    public required double EvalSeconds { get; init; }

    /// <summary>Update at which the target was reached, if it was.</summary>
    public long? TargetReachedAt { get; init; }

    /// <summary>UTC time the run first started.</summary>
    public required DateTime StartedUtc { get; init; }

    /// <summary>Every earlier resume of the run (carried forward into the record).</summary>
    public List<ResumeRecord>? Resumes { get; init; }

    /// <summary>The fingerprint of the data the run trained on (null in checkpoints written before it was kept).</summary>
    public string? DataFingerprint { get; init; }

    /// <summary>Backend-specific state (e.g. the simulator's clock and in-flight work), if the backend has any.</summary>
    public JsonElement? Backend { get; init; }

    /// <summary>Closed-loop momentum control's series so far (auto momentum runs only), continued on resume.</summary>
    public List<Polyak.Optimization.MomentumControlPoint>? AutoMomentumSeries { get; init; }

    /// <summary>The auto-momentum estimator's state (null without auto momentum, or in checkpoints written before it was kept).</summary>
    public Polyak.Optimization.OnlineMomentumEstimatorState? AutoMomentumEstimator { get; init; }

    /// <summary>DC-ASGD-a's per-coordinate mean square of the gradient (floats as bytes; null for the other policies).</summary>
    public byte[]? MeanSquare { get; init; }
}
