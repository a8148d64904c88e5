using Polyak.Data;
using Polyak.Models;
using Polyak.Optimization;

namespace Polyak.Execution;

/// <summary>
/// A training run with every choice made, typed: what <see cref="TrainingSession"/> executes. Made by
/// <see cref="RunPlanner"/> from <see cref="TrainingOptions"/> (the command line, a run file, a tuning trial, or the
/// typed library setup), so every entry point resolves defaults, validates and records the run the same way.
/// </summary>
public sealed record RunPlan
{
    /// <summary>The resolved configuration as recorded in <c>run.json</c> (re-runnable with <c>--config</c> when <see cref="Portable"/>).</summary>
    public required TrainingOptions Config { get; init; }

    /// <summary>The options as they were given, before defaults (the auto-momentum target tune re-plans its short runs from them, not from the defaults this run resolved to).</summary>
    public required TrainingOptions Requested { get; init; }

    /// <summary>The model (a gradient oracle over a flat parameter vector).</summary>
    public required IModel Model { get; init; }

    /// <summary>Train, test and evaluation data.</summary>
    public required DataSplit Data { get; init; }

    /// <summary>The backend that runs the workers.</summary>
    public required IExecutionBackend Backend { get; init; }

    /// <summary>Number of workers N.</summary>
    public required int Workers { get; init; }

    /// <summary>Number of compute groups g (divides N).</summary>
    public required int Groups { get; init; }

    /// <summary>Workers per group N / g.</summary>
    public int GroupSize => Workers / Groups;

    /// <summary>Samples per update B.</summary>
    public required int Batch { get; init; }

    /// <summary>The learning-rate schedule (its base rate is the run's learning rate).</summary>
    public required LearningRateSchedule Schedule { get; init; }

    /// <summary>The base learning rate.</summary>
    public double LearningRate => Schedule.BaseRate;

    /// <summary>The explicit momentum at the start (closed-loop control sets its own start value).</summary>
    public required double Momentum { get; init; }

    /// <summary>Closed-loop momentum control, or null for a fixed momentum; a null target is found before training by the orchestration layer.</summary>
    public AutoMomentumOptions? AutoMomentum { get; init; }

    /// <summary>Weight decay lambda.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Update discipline at the server.</summary>
    public UpdateDiscipline Discipline { get; init; }

    /// <summary>Largest number of updates (long.MaxValue when only time or target stop the run).</summary>
    public required long UpdateLimit { get; init; }

    /// <summary>The epochs the update limit stands for when an epoch budget set it, else null.</summary>
    public double? EpochLimit { get; init; }

    /// <summary>Time limit in seconds (simulated seconds on the simulator), if any.</summary>
    public double? TimeLimit { get; init; }

    /// <summary>Target evaluation loss, if any.</summary>
    public double? TargetLoss { get; init; }

    /// <summary>The server-side staleness policy every update goes through.</summary>
    public Optimization.StalenessPolicy StalenessPolicy { get; init; } = Optimization.StalenessPolicy.None;

    /// <summary>Stop once the accuracy on the held-out split (<see cref="DataSplit.HeldOut"/>) is at least this fraction.</summary>
    public double? TargetAccuracy { get; init; }

    /// <summary>Divergence threshold as a multiple of the initial loss.</summary>
    public double DivergenceFactor { get; init; } = 100;

    /// <summary>Run seed.</summary>
    public ulong Seed => Config.Seed;

    /// <summary>The recipe that supplied defaults, if one did.</summary>
    public ModelRecipe? Recipe { get; init; }

    /// <summary>Which options the recipe supplied.</summary>
    public IReadOnlyList<string> FromRecipe { get; init; } = [];

    /// <summary>
    /// True when <see cref="Config"/> alone rebuilds the model and the data (a catalog model, data loaded from the
    /// configuration's own data spec): required by the cluster backend, whose silos rebuild both, and by <c>--config</c>
    /// re-runs and resumes without the caller's model. False for a user's own model or data built in memory.
    /// </summary>
    public bool Portable { get; init; } = true;

    /// <summary>The initial parameters' seed (the model initialises from it).</summary>
    public ulong InitializationSeed => Numerics.RandomStream.DeriveSeed(Seed, 0x1417);
}
