using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>
/// The outcome of one tuning run (one learning rate, momentum, seed and level), as stored in the tuning journal:
/// how it ended, its updates to target (the statistical efficiency), its loss curve and its time per update.
/// </summary>
public sealed record TrialResult
{
    /// <summary>Run reached the target loss.</summary>
    public const string Reached = "reached";

    /// <summary>Run used its whole budget without reaching the target (score is censored: "budget+").</summary>
    public const string Censored = "censored";

    /// <summary>Run diverged (NaN/Inf or exploding loss).</summary>
    public const string Diverged = "diverged";

    /// <summary>Run failed with an error.</summary>
    public const string Failed = "failed";

    /// <summary>Run was skipped: the same momentum diverged (or failed) on every seed at a smaller learning rate.</summary>
    public const string Pruned = "pruned";

    /// <summary>Every status a trial may have.</summary>
    public static readonly IReadOnlySet<string> Statuses = new HashSet<string>(StringComparer.Ordinal) { Reached, Censored, Diverged, Failed, Pruned };

    /// <summary>Key of the run: a hash of its full configuration (see <see cref="TrialKey"/>).</summary>
    public required string Key { get; init; }

    /// <summary>Number of workers N.</summary>
    public required int Workers { get; init; }

    /// <summary>Number of compute groups g.</summary>
    public required int Groups { get; init; }

    /// <summary>Learning rate alpha.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Explicit momentum mu.</summary>
    public required double Momentum { get; init; }

    /// <summary>Run seed.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Seed the shared data were made with (null in journals written before it was recorded): <c>train --seed Seed --data-seed DataSeed</c> reproduces the run.</summary>
    public ulong? DataSeed { get; init; }

    /// <summary>Update budget of the run.</summary>
    public required long Budget { get; init; }

    /// <summary>reached, censored, diverged, failed or pruned.</summary>
    public required string Status { get; init; }

    /// <summary>First evaluated update at or below the target loss (null unless reached).</summary>
    public long? UpdatesToTarget { get; init; }

    /// <summary>Updates applied.</summary>
    public long Updates { get; init; }

    /// <summary>Evaluation loss before training.</summary>
    public double InitialLoss { get; init; } = double.NaN;

    /// <summary>Evaluation loss at the end.</summary>
    public double FinalLoss { get; init; } = double.NaN;

    /// <summary>Wall seconds per update (threads backend: hardware efficiency).</summary>
    public double SecondsPerUpdate { get; init; } = double.NaN;

    /// <summary>Simulated seconds per update (simulated backend: the clock model's hardware efficiency).</summary>
    public double? SimulatedSecondsPerUpdate { get; init; }

    /// <summary>Wall seconds the run took (its cost).</summary>
    public double WallSeconds { get; init; }

    /// <summary>Mean staleness of the run.</summary>
    public double StalenessMean { get; init; }

    /// <summary>Why the run stopped.</summary>
    public string? Reason { get; init; }

    /// <summary>Updates of the evaluation points (at most <see cref="CurvePoints"/> of them, evenly spaced, first and last included).</summary>
    public long[] CurveUpdates { get; init; } = [];

    /// <summary>Evaluation losses at <see cref="CurveUpdates"/>.</summary>
    public double[] CurveLoss { get; init; } = [];

    /// <summary>Time per update for hardware efficiency: simulated seconds when simulated, else wall seconds.</summary>
    public double TimePerUpdate => SimulatedSecondsPerUpdate ?? SecondsPerUpdate;

    /// <summary>
    /// Numeric score (lower is better): updates to target when reached; the budget when censored (read "budget+");
    /// NaN when diverged, failed or pruned.
    /// </summary>
    public double Score => Status switch
    {
        Reached => UpdatesToTarget ?? Budget,
        Censored => Budget,
        _ => double.NaN,
    };

    /// <summary>Builds the journal entry of a finished run; null when the run was interrupted (it will be redone).</summary>
    public static TrialResult? FromRun(string key, TrainingOptions options, long budget, TrainingResult run)
    {
        var s = run.Record.Summary;
        // The target can be met at the very evaluation that ends the budget (status Completed): still reached.
        string status = run.Status switch
        {
            RunStatus.ReachedTarget or RunStatus.Completed => s.UpdatesToTarget is not null ? Reached : Censored,
            RunStatus.Diverged => Diverged,
            RunStatus.Failed => Failed,
            _ => "",
        };
        if (status.Length == 0) return null;
        var curve = Thin(run.Record.Curve, CurvePoints);
        return For(key, options, budget, status) with
        {
            UpdatesToTarget = status == Reached ? s.UpdatesToTarget : null,
            Updates = s.Updates,
            InitialLoss = s.InitialLoss,
            FinalLoss = s.FinalLoss,
            SecondsPerUpdate = s.SecondsPerUpdate,
            SimulatedSecondsPerUpdate = s.SimulatedSeconds is double sim && s.Updates > 0 ? sim / s.Updates : null,
            WallSeconds = s.WallSeconds,
            StalenessMean = s.Staleness.Mean,
            Reason = run.Record.StopReason,
            CurveUpdates = curve.Select(p => p.Update).ToArray(),
            CurveLoss = curve.Select(p => p.Loss).ToArray(),
        };
    }

    /// <summary>
    /// Most evaluation points a journal entry keeps of its run's curve (first and last included, evenly spaced in
    /// between). Every other figure is computed before thinning; the curve only feeds the curves figure and the
    /// optimizer's extrapolation. Unthinned, the quick study's journal held 2,982 curves of 1,501 points: 42.6 MB.
    /// </summary>
    public const int CurvePoints = 257;

    private static IReadOnlyList<EvalPoint> Thin(IReadOnlyList<EvalPoint> curve, int points)
    {
        if (curve.Count <= points) return curve;
        var kept = new EvalPoint[points];
        for (int k = 0; k < points; k++) kept[k] = curve[(int)Math.Round((double)k * (curve.Count - 1) / (points - 1))];
        return kept;
    }

    /// <summary>A placeholder for a run skipped by monotonicity pruning.</summary>
    public static TrialResult MakePruned(string key, TrainingOptions options, long budget, string reason) =>
        For(key, options, budget, Pruned) with { Reason = reason };

    /// <summary>The fields every trial has: which configuration, seed and budget, and its status.</summary>
    private static TrialResult For(string key, TrainingOptions options, long budget, string status) => new()
    {
        Key = key,
        Workers = options.Workers,
        Groups = options.Groups ?? options.Workers,
        LearningRate = options.LearningRate ?? double.NaN,
        Momentum = options.Momentum ?? double.NaN,
        Seed = options.Seed,
        Budget = budget,
        Status = status,
    };
}
