namespace Polyak.Optimization;

/// <summary>Settings of closed-loop momentum control (<c>--momentum auto[:TARGET]</c>).</summary>
public sealed record AutoMomentumOptions
{
    /// <summary>Target total momentum; null = find it with a short synchronous tune.</summary>
    public double? Target { get; init; }

    /// <summary>Feedback gain gamma in (0, 1].</summary>
    public double Gain { get; init; } = 0.3;

    /// <summary>Lower bound on the explicit momentum.</summary>
    public double Min { get; init; } = -0.9;

    /// <summary>Upper bound on the explicit momentum.</summary>
    public double Max { get; init; } = 0.99;

    /// <summary>Adjust the explicit momentum every this many updates.</summary>
    public int Period { get; init; } = 50;

    /// <summary>Explicit momentum at the start; null = the queueing model's prediction target - (1 - 1/g), clipped.</summary>
    public double? Initial { get; init; }

    /// <summary>
    /// What the controller steers on (default <see cref="MomentumSignal.Staleness"/>: the implicit momentum the run's own
    /// mean staleness implies, which the simulator shows to be exact for memoryless workers at every M, where the
    /// trajectory estimate is biased low at high M; see docs/automatic-configuration.md).
    /// </summary>
    public MomentumSignal Signal { get; init; } = MomentumSignal.Staleness;
}

/// <summary>The implicit-momentum measurement closed-loop momentum control steers on (<c>--momentum-signal</c>).</summary>
public enum MomentumSignal
{
    /// <summary>The queueing model's value from the run's measured mean staleness s: <c>s / (1 + s)</c> (1 - 1/M for M memoryless groups).</summary>
    Staleness,

    /// <summary>The trajectory fit of <see cref="OnlineMomentumEstimator"/> (falls back on the staleness value where its assumptions fail).</summary>
    Trajectory,
}
