namespace Polyak.Optimization;

/// <summary>What closed-loop momentum control did in a run (the <c>auto_momentum</c> section of run.json).</summary>
public sealed record AutoMomentumRecord
{
    /// <summary>Target total momentum.</summary>
    public required double Target { get; init; }

    /// <summary>Where the target came from: "given" or "synchronous tune".</summary>
    public required string TargetSource { get; init; }

    /// <summary>Feedback gain gamma.</summary>
    public required double Gain { get; init; }

    /// <summary>Lower bound of the explicit momentum.</summary>
    public required double Min { get; init; }

    /// <summary>Upper bound of the explicit momentum.</summary>
    public required double Max { get; init; }

    /// <summary>Control period in updates.</summary>
    public required int Period { get; init; }

    /// <summary>Explicit momentum at the start.</summary>
    public required double Start { get; init; }

    /// <summary>Explicit momentum at the end.</summary>
    public required double FinalExplicit { get; init; }

    /// <summary>Latest estimate of the total momentum.</summary>
    public required double FinalTotal { get; init; }

    /// <summary>Control periods that steered on the staleness-based implicit momentum because the trajectory estimate did not hold (staleness not memoryless, or the estimate outside [0, 1)).</summary>
    public int StalenessFallbacks { get; init; }

    /// <summary>Updates the estimator needed before the first adjustment (the momentum stays at its start value until then).</summary>
    public long WarmupVersions { get; init; }

    /// <summary>Wall seconds of the synchronous tune that found the target (0 when given).</summary>
    public double TuneSeconds { get; init; }

    /// <summary>Updates spent by the synchronous tune (0 when given).</summary>
    public long TuneUpdates { get; init; }

    /// <summary>One point per control period.</summary>
    public required IReadOnlyList<MomentumControlPoint> Series { get; init; }
}
