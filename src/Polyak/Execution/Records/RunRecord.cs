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

    /// <summary>What the backend recorded (a typed record per backend: threads, simulator, cluster); null when it recorded nothing.</summary>
    public object? Backend { get; init; }

    /// <summary>Closed-loop momentum control (target, settings, mu_explicit and mu_hat_total over time); null when off.</summary>
    public Polyak.Optimization.AutoMomentumRecord? AutoMomentum { get; init; }

    /// <summary>The model recipe that supplied defaults, and how they were carried to the run's asynchrony (null when none did).</summary>
    public RecipeRecord? Recipe { get; init; }

    /// <summary>The process training the run, in the live record (status <c>running</c>); null once the run has ended.</summary>
    public RunProcess? Process { get; init; }

    /// <summary>Every time the run was resumed, in order.</summary>
    public IReadOnlyList<ResumeRecord> Resumes { get; init; } = [];

    /// <summary>
    /// Sections added by the layer that ran the training (e.g. <c>optimize</c>: the configuration optimizer's decisions),
    /// written as further top-level fields of run.json.
    /// </summary>
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Sections { get; init; }

    /// <summary>
    /// Reads a run's <c>run.json</c> (<paramref name="path"/> is the file or its run folder). Throws
    /// <see cref="ArgumentException"/> naming the file when it is missing or not a run record.
    /// </summary>
    public static RunRecord Read(string path)
    {
        string file = System.IO.Directory.Exists(path) ? System.IO.Path.Combine(path, "run.json") : path;
        if (!File.Exists(file)) throw new ArgumentException($"'{path}' holds no run.json: not a run folder");
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(file), Json.Indented)
                ?? throw new ArgumentException($"'{file}' is empty");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ArgumentException($"'{file}' is not a run record Polyak can read: {ex.Message}", ex);
        }
    }
}
