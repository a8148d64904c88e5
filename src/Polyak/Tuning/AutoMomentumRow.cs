namespace Polyak.Tuning;

/// <summary>
/// <c>study --auto</c> at one level: closed-loop momentum (<c>--momentum auto:TARGET</c>, TARGET the study's best
/// synchronous momentum) with only the learning rate searched, against the full learning-rate x momentum tune of the
/// same level. Both are chosen and scored by the study's one ranking rule (median over seeds).
/// </summary>
public sealed record AutoMomentumRow
{
    /// <summary>Number of compute groups g.</summary>
    public int Groups { get; init; }

    /// <summary>The target total momentum (the best momentum at g = 1).</summary>
    public double Target { get; init; }

    /// <summary>Auto momentum's best point over the learning-rate grid (its momentum is the target it was given).</summary>
    public required PolicyChoice Auto { get; init; }

    /// <summary>Auto momentum at the tuned optimum's learning rate (null when that rate was not run).</summary>
    public PolicyChoice? AutoAtTunedRate { get; init; }

    /// <summary>The full tune's best point (learning rate and momentum).</summary>
    public required PolicyChoice Tuned { get; init; }

    /// <summary>Auto's updates to target / the tuned optimum's (a lower bound when auto was censored; NaN when the tuned one was).</summary>
    public double Ratio => !Tuned.Reached ? double.NaN : Auto.UpdatesToTarget / Tuned.UpdatesToTarget;

    /// <summary>The same ratio at the tuned optimum's learning rate.</summary>
    public double RatioAtTunedRate => AutoAtTunedRate is not { } a || !Tuned.Reached ? double.NaN : a.UpdatesToTarget / Tuned.UpdatesToTarget;

    /// <summary>95 % bootstrap interval of <see cref="Ratio"/> over seeds (the same seed draw for both; null with one seed).</summary>
    public BootstrapInterval? RatioInterval { get; init; }

    /// <summary>Runs the auto search executed at this level (learning rates x seeds) and the full tune's (x momenta).</summary>
    public int AutoRuns { get; init; }

    /// <summary>Runs of the full tune at this level.</summary>
    public int TunedRuns { get; init; }
}
