using System.Text.Json.Serialization;
using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>The best point of one momentum policy at one level, and its statistical penalty.</summary>
public sealed record PolicyChoice
{
    /// <summary>Chosen learning rate.</summary>
    public double LearningRate { get; init; }

    /// <summary>Chosen explicit momentum.</summary>
    public double Momentum { get; init; }

    /// <summary>Median updates to target (the budget when censored).</summary>
    public double UpdatesToTarget { get; init; }

    /// <summary>Status of the chosen point's median run.</summary>
    public string Status { get; init; } = "";

    /// <summary>Updates to target divided by the best synchronous run's (a lower bound when censored); NaN if nothing converged.</summary>
    public double Penalty { get; init; }

    /// <summary>True when the chosen point reached the target (else the penalty is a lower bound).</summary>
    public bool Reached => Status == TrialResult.Reached;

    /// <summary>At least as good as <paramref name="other"/>: reached beats not reached; otherwise the lower penalty.</summary>
    public bool NoWorseThan(PolicyChoice other)
    {
        if (Reached != other.Reached) return Reached;
        if (double.IsNaN(other.Penalty)) return true;
        return !(Penalty > other.Penalty);
    }

    /// <summary>Builds the choice from a point (null point: nothing usable).</summary>
    public static PolicyChoice From(TuningPoint? p, double reference) => p is null
        ? new PolicyChoice { LearningRate = double.NaN, Momentum = double.NaN, UpdatesToTarget = double.NaN, Status = "none", Penalty = double.NaN }
        : new PolicyChoice
        {
            LearningRate = p.LearningRate,
            Momentum = p.Momentum,
            UpdatesToTarget = p.Score,
            Status = p.Status,
            Penalty = double.IsNaN(p.Score) || !(reference > 0) ? double.NaN : p.Score / reference,
        };
}

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

    /// <summary>The best point, not serialised.</summary>
    [JsonIgnore]
    public TuningPoint? BestPoint { get; init; }
}

/// <summary>The outcome of the momentum study: one <see cref="StudyLevel"/> per asynchrony level, the reference and the automatic reading.</summary>
public sealed record StudyResult
{
    /// <summary>Preset name.</summary>
    public string Preset { get; init; } = "custom";

    /// <summary>Base configuration.</summary>
    public required TrainingOptions Config { get; init; }

    /// <summary>Learning-rate grid.</summary>
    public required IReadOnlyList<double> LearningRates { get; init; }

    /// <summary>Momentum grid.</summary>
    public required IReadOnlyList<double> Momenta { get; init; }

    /// <summary>Seeds per point.</summary>
    public required IReadOnlyList<ulong> Seeds { get; init; }

    /// <summary>Update budget per run.</summary>
    public long Budget { get; init; }

    /// <summary>Evaluation period.</summary>
    public int EvalEvery { get; init; }

    /// <summary>Levels, ordered by number of groups.</summary>
    public required IReadOnlyList<StudyLevel> Levels { get; init; }

    /// <summary>Number of groups of the reference (synchronous, or the least asynchronous level studied).</summary>
    public int ReferenceGroups { get; init; }

    /// <summary>Updates to target of the best reference run (penalties divide by it).</summary>
    public double ReferenceUpdates { get; init; }

    /// <summary>Automatic reading of the result, one sentence per item.</summary>
    public required IReadOnlyList<string> Reading { get; init; }

    /// <summary>Best explicit momentum non-increasing in g (ties allowed).</summary>
    public bool Monotone { get; init; }

    /// <summary>Runs executed, reused from the journal, pruned; and the summed wall seconds of executed runs.</summary>
    public int RunsExecuted { get; init; }

    /// <summary>Runs reused from the journal.</summary>
    public int RunsReused { get; init; }

    /// <summary>Runs skipped by pruning.</summary>
    public int RunsPruned { get; init; }

    /// <summary>Summed wall seconds of the executed runs.</summary>
    public double CostSeconds { get; init; }

    /// <summary>Wall seconds of the whole study.</summary>
    public double WallSeconds { get; init; }
}
