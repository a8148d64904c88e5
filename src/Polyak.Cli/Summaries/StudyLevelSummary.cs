namespace Polyak.Cli;

/// <summary>One level of a study in its summary line.</summary>
public sealed record StudyLevelSummary
{
    /// <summary>Compute groups g.</summary>
    public int Groups { get; init; }

    /// <summary>Best learning rate.</summary>
    public double BestLr { get; init; }

    /// <summary>Best momentum.</summary>
    public double BestMomentum { get; init; }

    /// <summary>Updates to target of the best point.</summary>
    public double UpdatesToTarget { get; init; }

    /// <summary>Statistical penalty with momentum fixed at 0.9.</summary>
    public double PenaltyFixed09 { get; init; }

    /// <summary>Statistical penalty with momentum >= 0 tuned.</summary>
    public double PenaltyNonneg { get; init; }

    /// <summary>Statistical penalty with negative momentum allowed.</summary>
    public double PenaltyWithNegative { get; init; }

    /// <summary>Status of the best point.</summary>
    public required string Status { get; init; }

    /// <summary>Implicit momentum of the theory, 1 - 1/g.</summary>
    public double ImplicitMomentum { get; init; }

    /// <summary>The explicit momentum the theory predicts.</summary>
    public double PredictedExplicitMomentum { get; init; }

    /// <summary>Time per update.</summary>
    public double TimePerUpdate { get; init; }

    /// <summary>Predicted time to target.</summary>
    public double PredictedTimeToTarget { get; init; }

    /// <summary>Other momenta tied with the best (same score: the tie-break chose); empty when none.</summary>
    public IReadOnlyList<double> TiedMomenta { get; init; } = [];

    /// <summary>Each policy's best point on an edge of the grid, e.g. <c>mu=0.9: lr 0.001 is the lowest rate</c>.</summary>
    public IReadOnlyList<string> GridEdges { get; init; } = [];
}
