using Polyak.Execution;

namespace Polyak.Tuning;

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
        if (Base.TargetLoss is null) throw new ArgumentException("optimize needs a target loss (--target-loss X): it minimises the time to reach it");
        if (!(TimeBudget > 0) || !double.IsFinite(TimeBudget)) throw new ArgumentException($"--time-budget must be a positive number of seconds, got {TimeBudget}");
        if (Momenta.Count == 0) throw new ArgumentException("optimize: the momentum grid is empty");
        foreach (double m in Momenta)
            if (!(m > -1 && m < 1)) throw new ArgumentException($"optimize: every momentum of the grid must be in (-1, 1), got {m}");
        if (ProbeUpdates < 10) throw new ArgumentException($"optimize: the hardware probe needs >= 10 updates, got {ProbeUpdates}");
        if (TuneUpdates < 20) throw new ArgumentException($"--tune-updates {TuneUpdates} is too small to measure (needs >= 20 updates)");
        if (!(MinImprovement >= 0 && MinImprovement < 1)) throw new ArgumentException($"optimize: minimum improvement must be in [0, 1), got {MinImprovement}");
        if (!(EpochShare > 0 && EpochShare <= 1)) throw new ArgumentException($"optimize: epoch share must be in (0, 1], got {EpochShare}");
        if (!(RetuneShare > 0 && RetuneShare < 1)) throw new ArgumentException($"optimize: re-tune share must be in (0, 1), got {RetuneShare}");
    }
}

/// <summary>One logged decision of the optimizer: phase, configuration, what was measured, and the choice with its reason.</summary>
public sealed record OptimizeDecision(string Phase, int Groups, double LearningRate, double Momentum, string Measure, double Value, bool Chosen, string Reason);

/// <summary>The outcome of <c>polyak optimize</c>: the chosen configuration, the main run, every decision and the costs.</summary>
public sealed record OptimizeResult
{
    /// <summary>Compute groups chosen by the cold start.</summary>
    public required int Groups { get; init; }

    /// <summary>Learning rate chosen by the cold start.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Momentum chosen by the cold start.</summary>
    public required double Momentum { get; init; }

    /// <summary>Predicted time to target of the chosen configuration (time unit of the backend).</summary>
    public required double PredictedTimeToTarget { get; init; }

    /// <summary>Configuration at the end of training (after steady-state re-tuning).</summary>
    public required int FinalGroups { get; init; }

    /// <summary>Learning rate at the end.</summary>
    public required double FinalLearningRate { get; init; }

    /// <summary>Momentum at the end.</summary>
    public required double FinalMomentum { get; init; }

    /// <summary>Whether the main run reached the target.</summary>
    public required bool ReachedTarget { get; init; }

    /// <summary>Training time of the main run until the target (or the end), backend time unit.</summary>
    public required double TrainingTime { get; init; }

    /// <summary>Cold-start cost (probes + tuning), backend time unit.</summary>
    public required double ColdStartCost { get; init; }

    /// <summary>Steady-state re-tuning cost, backend time unit.</summary>
    public required double RetuneCost { get; init; }

    /// <summary>Updates spent by the cold start (probes + tuning runs).</summary>
    public required long ColdStartUpdates { get; init; }

    /// <summary>Wall seconds of the cold start.</summary>
    public required double ColdStartWallSeconds { get; init; }

    /// <summary>Wall seconds of the whole optimize command.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>Time unit: "simulated s" or "s".</summary>
    public required string TimeUnit { get; init; }

    /// <summary>Final status of the main run.</summary>
    public required string Status { get; init; }

    /// <summary>The main run's folder.</summary>
    public string? RunDir { get; init; }

    /// <summary>Every decision, in order.</summary>
    public required IReadOnlyList<OptimizeDecision> Decisions { get; init; }
}
