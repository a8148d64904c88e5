namespace Polyak.Tuning;

/// <summary>
/// One server-side staleness policy at one level in <c>study --policies</c>: its best point with the momentum fixed at 0
/// (the policy alone) and with the momentum tuned (the policy combined with Polyak's remedy), each with its median
/// updates to target, status and penalty (relative to the plain policy's best synchronous run), and the predicted time
/// to target (updates, dropped ones included, times the time per update measured under the policy: bounded staleness
/// makes groups wait, so its updates take longer).
/// </summary>
public sealed record PolicyComparisonRow
{
    /// <summary>The staleness policy's spec (<c>none</c>, <c>lr-scale</c>, <c>drop:T</c>, <c>dc:LAMBDA</c>, <c>dc-a:LAMBDA0</c>, <c>ssp:S</c>).</summary>
    public required string Policy { get; init; }

    /// <summary>Number of compute groups g.</summary>
    public int Groups { get; init; }

    /// <summary>The best point with mu = 0 (the policy alone).</summary>
    public required PolicyChoice MomentumZero { get; init; }

    /// <summary>The best point with the momentum tuned (negative included).</summary>
    public required PolicyChoice MomentumTuned { get; init; }

    /// <summary>95 % bootstrap interval over seeds of the tuned point's updates to target (null with one seed).</summary>
    public BootstrapInterval? TunedInterval { get; init; }

    /// <summary>Median time per update of this policy's runs at this level (simulated seconds on the simulator).</summary>
    public double TimePerUpdate { get; init; }

    /// <summary>Predicted time to target of the tuned point: updates to target x time per update (a lower bound when censored).</summary>
    public double PredictedTimeTuned => MomentumTuned.UpdatesToTarget * TimePerUpdate;
}
