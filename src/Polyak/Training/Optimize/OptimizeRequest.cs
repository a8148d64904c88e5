using Polyak.Execution;
using Polyak.Optimization;

namespace Polyak.Training;

/// <summary>What <c>polyak optimize</c> runs: the base configuration (N workers, target loss, backend...), the time budget and the search settings.</summary>
public sealed record OptimizeRequest
{
    /// <summary>The default momentum grid of the tuning phases (negative values included).</summary>
    public static readonly IReadOnlyList<double> DefaultMomenta = [-0.6, -0.3, 0, 0.3, 0.6, 0.9];

    /// <summary>Base configuration; its groups, learning rate and momentum are what the optimizer chooses.</summary>
    public required TrainingOptions Base { get; init; }

    /// <summary>Total time budget (simulated seconds on the simulator, wall seconds otherwise), tuning included.</summary>
    public required double TimeBudget { get; init; }

    /// <summary>Momentum grid of every tuning phase.</summary>
    public IReadOnlyList<double> Momenta { get; init; } = DefaultMomenta;

    /// <summary>Updates of each hardware probe (time per update of one level).</summary>
    public long ProbeUpdates { get; init; } = 100;

    /// <summary>Updates of each cold-start tuning run (the fixed short budget).</summary>
    public long TuneUpdates { get; init; } = 300;

    /// <summary>Stop adding groups once the time per update improves by less than this fraction.</summary>
    public double MinImprovement { get; init; } = 0.10;

    /// <summary>Length of one optimizer epoch as a share of the time budget.</summary>
    public double EpochShare { get; init; } = 0.2;

    /// <summary>Share of an epoch's time spent re-tuning at its end.</summary>
    public double RetuneShare { get; init; } = 0.10;

    /// <summary>Output folder (the main run goes to OUT/run); null = runs/&lt;time&gt;-optimize.</summary>
    public string? OutDir { get; init; }

    /// <summary>Levels considered: divisors of N in doubling order from 1 (1, 2, 4, ... and N).</summary>
    public int[] Levels()
    {
        var levels = new List<int>();
        for (int g = 1; g <= Base.Workers; g *= 2) if (Base.Workers % g == 0) levels.Add(g);
        if (!levels.Contains(Base.Workers)) levels.Add(Base.Workers);
        return levels.ToArray();
    }

    /// <summary>Checks the request; throws <see cref="ArgumentException"/> naming the bad part.</summary>
    public void Validate()
    {
        ResolvedOptions.ValidateGeneric(Base with { Groups = 1, AutoMomentum = null });
        if (Base.TargetAccuracy is not null)
            throw new ArgumentException("optimize predicts updates to target from the loss curve of short runs; give --target-loss X (an accuracy target cannot be extrapolated that way yet)");
        if (Base.TargetLoss is null) throw new ArgumentException("optimize needs a target loss (--target-loss X): it minimises the time to reach it");
        if (!(TimeBudget > 0) || !double.IsFinite(TimeBudget)) throw new ArgumentException($"--time-budget must be a positive number of seconds, got {TimeBudget}");
        if (Momenta.Count == 0) throw new ArgumentException("optimize: the momentum grid is empty");
        foreach (double m in Momenta)
            Momentum.Validate(m, "optimize: every momentum of the grid");
        if (ProbeUpdates < 10) throw new ArgumentException($"optimize: the hardware probe needs >= 10 updates, got {ProbeUpdates}");
        if (TuneUpdates < 20) throw new ArgumentException($"--tune-updates {TuneUpdates} is too small to measure (needs >= 20 updates)");
        if (!(MinImprovement >= 0 && MinImprovement < 1)) throw new ArgumentException($"optimize: minimum improvement must be in [0, 1), got {MinImprovement}");
        if (!(EpochShare > 0 && EpochShare <= 1)) throw new ArgumentException($"optimize: epoch share must be in (0, 1], got {EpochShare}");
        if (!(RetuneShare > 0 && RetuneShare < 1)) throw new ArgumentException($"optimize: re-tune share must be in (0, 1), got {RetuneShare}");
    }
}
