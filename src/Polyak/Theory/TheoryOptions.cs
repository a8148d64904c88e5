using Polyak.Execution;

namespace Polyak.Theory;

/// <summary>Settings of <see cref="TheoryStudy"/> (<c>polyak theory</c>).</summary>
public sealed record TheoryOptions
{
    /// <summary>Numbers of asynchronous workers M to study.</summary>
    public int[] Workers { get; init; } = [1, 2, 4, 8, 16, 32];

    /// <summary>Explicit momentum mu_e in (-1, 1).</summary>
    public double ExplicitMomentum { get; init; }

    /// <summary>Gradient-time law of the simulated workers.</summary>
    public string Distribution { get; init; } = "exponential";

    /// <summary>Independent trajectories per M for the offline fit.</summary>
    public int Trajectories { get; init; } = 256;

    /// <summary>Bootstrap resamples for the intervals.</summary>
    public int Bootstrap { get; init; } = 200;

    /// <summary>Staleness samples per M for the chi-square test; the run lasts M times longer (every M-th update is kept).</summary>
    public int StalenessUpdates { get; init; } = 20_000;

    /// <summary>Dimension d of the quadratic.</summary>
    public int Dimension { get; init; } = 8;

    /// <summary>Condition number of the Hessian (eigenvalues geometric from 1 down to 1/condition).</summary>
    public double Condition { get; init; } = 10;

    /// <summary>Learning rate alpha = StepScale / (M h_max), so every M moves w by about StepScale per M updates.</summary>
    public double StepScale { get; init; } = 0.5;

    /// <summary>Gradient noise of the online-estimator run (the offline fit is noise-free).</summary>
    public double OnlineNoise { get; init; } = 0.1;

    /// <summary>Seed of every stream.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Workers.Length == 0) throw new ArgumentException("--workers: give at least one number of workers M");
        foreach (int m in Workers)
            if (m < 1 || m > 1024) throw new ArgumentException($"--workers: the number of workers M must be in [1, 1024], got {m}");
        Optimization.Momentum.Validate(ExplicitMomentum, "--momentum");
        ClockModel.Validate(new SimulationOptions { Distribution = Distribution }, 1);
        if (Trajectories < 2) throw new ArgumentException($"--trajectories must be >= 2, got {Trajectories}");
        if (Bootstrap < 0) throw new ArgumentException($"--bootstrap must be >= 0, got {Bootstrap}");
        if (StalenessUpdates < 10) throw new ArgumentException($"--staleness-updates must be >= 10, got {StalenessUpdates}");
        if (Dimension < 1 || Dimension > 1000) throw new ArgumentException($"dimension must be in [1, 1000], got {Dimension}");
        if (!(Condition >= 1) || double.IsInfinity(Condition)) throw new ArgumentException($"condition number must be >= 1, got {Condition}");
        if (!(StepScale > 0) || double.IsInfinity(StepScale)) throw new ArgumentException($"step scale must be > 0, got {StepScale}");
        if (!(OnlineNoise >= 0) || double.IsInfinity(OnlineNoise)) throw new ArgumentException($"online noise must be >= 0, got {OnlineNoise}");
    }
}
