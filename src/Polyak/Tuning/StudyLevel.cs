using System.Text.Json.Serialization;
using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>
/// One asynchrony level of the study: the best (lr, mu), the three policies' penalties, the hardware efficiency
/// and predicted time to target, and the theory's implicit momentum next to the measurement.
/// </summary>
public sealed record StudyLevel
{
    /// <summary>Number of compute groups g (asynchronous groups M).</summary>
    public int Groups { get; init; }

    /// <summary>Number of workers N.</summary>
    public int Workers { get; init; }

    /// <summary>Best learning rate (momentum tuned including negative values).</summary>
    public double BestLr { get; init; }

    /// <summary>Best explicit momentum.</summary>
    public double BestMomentum { get; init; }

    /// <summary>Median updates to target of the best point (the budget when censored).</summary>
    public double UpdatesToTarget { get; init; }

    /// <summary>Status of the best point (reached or censored).</summary>
    public string Status { get; init; } = "";

    /// <summary>Spread of the best point over seeds: fewest updates to target.</summary>
    public double? UpdatesMin { get; init; }

    /// <summary>Spread of the best point over seeds: most updates to target.</summary>
    public double? UpdatesMax { get; init; }

    /// <summary>Policy mu = 0.9 fixed, lr tuned.</summary>
    public required PolicyChoice Fixed09 { get; init; }

    /// <summary>Policy mu tuned over non-negative values.</summary>
    public required PolicyChoice Nonneg { get; init; }

    /// <summary>Policy mu tuned including negative values.</summary>
    public required PolicyChoice WithNegative { get; init; }

    /// <summary>Penalty of the fixed-0.9 policy.</summary>
    public double PenaltyFixed09 => Fixed09.Penalty;

    /// <summary>Penalty of the non-negative policy.</summary>
    public double PenaltyNonneg => Nonneg.Penalty;

    /// <summary>Penalty of the policy including negative momentum.</summary>
    public double PenaltyWithNegative => WithNegative.Penalty;

    /// <summary>Theory: implicit momentum 1 - 1/g of g asynchronous groups.</summary>
    public double ImplicitMomentum => 1 - 1.0 / Groups;

    /// <summary>Theory: the explicit momentum it implies, best synchronous mu minus the implicit momentum.</summary>
    public double PredictedExplicitMomentum { get; init; }

    /// <summary>Measured total momentum to first order: best explicit + implicit.</summary>
    public double TotalMomentum => BestMomentum + ImplicitMomentum;

    /// <summary>Measured mean staleness of the best run.</summary>
    public double StalenessMean { get; init; }

    /// <summary>Time per update (median over the level's runs): simulated seconds on the simulator, wall seconds otherwise.</summary>
    public double TimePerUpdate { get; init; }

    /// <summary>Unit of <see cref="TimePerUpdate"/>: "simulated s" or "s".</summary>
    public string TimeUnit { get; init; } = "s";

    /// <summary>Hardware efficiency: time per update relative to the synchronous level's (lower is better).</summary>
    public double HardwareEfficiency { get; init; }

    /// <summary>Predicted time to target = updates to target x time per update.</summary>
    public double PredictedTimeToTarget => UpdatesToTarget * TimePerUpdate;

    /// <summary>The level's full tuning result (grid), not serialised.</summary>
    [JsonIgnore]
    public TuningResult? Tuning { get; init; }

    /// <summary>95 % bootstrap intervals over seeds (empty intervals with one seed per point).</summary>
    public LevelBootstrap? Intervals { get; init; }

    /// <summary>The best point, not serialised.</summary>
    [JsonIgnore]
    public TuningPoint? BestPoint { get; init; }
}
