namespace Polyak.Execution;

/// <summary>
/// The record of one training run, written as <c>run.json</c> in the run folder: configuration, data and model,
/// how it ended, the summary numbers, the loss curve and the staleness histogram.
/// </summary>
public sealed record RunRecord
{
    /// <summary>Version of Polyak that produced the run.</summary>
    public required string PolyakVersion { get; init; }

    /// <summary>UTC time the run started.</summary>
    public required DateTime StartedUtc { get; init; }

    /// <summary>How the run ended: a <see cref="RunStatus"/> in snake_case (<c>completed</c>, <c>reached_target</c>, <c>diverged</c>, <c>interrupted</c>, <c>failed</c>).</summary>
    public required string Status { get; init; }

    /// <summary>Why it stopped.</summary>
    public string? StopReason { get; init; }

    /// <summary>The fully resolved configuration (re-runnable with <c>--config</c>).</summary>
    public required TrainingOptions Config { get; init; }

    /// <summary>Data description.</summary>
    public required DataInfo Data { get; init; }

    /// <summary>Model description.</summary>
    public required ModelInfo Model { get; init; }

    /// <summary>Summary numbers.</summary>
    public required RunSummary Summary { get; init; }

    /// <summary>Evaluation loss curve.</summary>
    public required IReadOnlyList<EvalPoint> Curve { get; init; }

    /// <summary>Backend-specific fields.</summary>
    public Dictionary<string, object?> Backend { get; init; } = [];

    /// <summary>Closed-loop momentum control (target, settings, mu_explicit and mu_hat_total over time); null when off.</summary>
    public Polyak.Optimization.AutoMomentumRecord? AutoMomentum { get; init; }

    /// <summary>The model recipe that supplied defaults, and how they were carried to the run's asynchrony (null when none did).</summary>
    public RecipeRecord? Recipe { get; init; }
}

/// <summary>What data a run used.</summary>
public sealed record DataInfo(string Description, int TrainRows, int TestRows, int EvalRows, int Features, int Classes);

/// <summary>What model a run trained.</summary>
public sealed record ModelInfo(string Name, int Parameters, bool Classifier);

/// <summary>Staleness statistics of a run.</summary>
public sealed record StalenessSummary(double Mean, int Max, long[] Histogram);

/// <summary>The headline numbers of a run (also the core of <c>--json</c>).</summary>
public sealed record RunSummary
{
    /// <summary>Updates applied.</summary>
    public long Updates { get; init; }

    /// <summary>Epochs of training data consumed (updates x B / n).</summary>
    public double Epochs { get; init; }

    /// <summary>Evaluation loss before training.</summary>
    public double InitialLoss { get; init; }

    /// <summary>Evaluation loss after training.</summary>
    public double FinalLoss { get; init; }

    /// <summary>Test accuracy after training (null for regression).</summary>
    public double? FinalAccuracy { get; init; }

    /// <summary>Test loss after training.</summary>
    public double TestLoss { get; init; }

    /// <summary>Training wall seconds (final evaluation excluded).</summary>
    public double WallSeconds { get; init; }

    /// <summary>Wall seconds spent in periodic evaluations while training ran (summed over threads; the initial and final evaluations excluded).</summary>
    public double EvalSeconds { get; init; }

    /// <summary>
    /// The wall time those evaluations took, which throughput excludes: <see cref="EvalSeconds"/> divided by the groups
    /// when they evaluate in parallel (threads, cluster), all of it on the simulator (null in records written before it existed).
    /// </summary>
    public double? EvalWallSeconds { get; init; }

    /// <summary>Updates per second of training (evaluation time excluded).</summary>
    public double UpdatesPerSecond { get; init; }

    /// <summary>Samples per second (updates x B per second).</summary>
    public double SamplesPerSecond { get; init; }

    /// <summary>Seconds per update (hardware efficiency; NaN, written as null, when no update was applied).</summary>
    public double SecondsPerUpdate { get; init; }

    /// <summary>Simulated seconds (simulated backend only).</summary>
    public double? SimulatedSeconds { get; init; }

    /// <summary>Staleness statistics.</summary>
    public required StalenessSummary Staleness { get; init; }

    /// <summary>Whether the target loss was reached (null when no target).</summary>
    public bool? ReachedTarget { get; init; }

    /// <summary>First evaluated update at which the target was reached (statistical efficiency).</summary>
    public long? UpdatesToTarget { get; init; }
}

/// <summary>A model recipe as a run applied it (see <see cref="Models.ModelRecipe"/>), and which options it supplied.</summary>
public sealed record RecipeRecord(string Model, double LearningRate, double Momentum, int Batch, bool Cosine, string Evidence, IReadOnlyList<string> Applied);
