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
