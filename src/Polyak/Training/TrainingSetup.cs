using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Optimization;

namespace Polyak.Training;

/// <summary>
/// Typed settings of a run for library users (<see cref="Trainer.Train"/>): the backend as an instance, the
/// learning-rate schedule as a <see cref="LearningRateSchedule"/> (its base rate is the learning rate), the discipline as
/// an enum, stop conditions as numbers and a <see cref="TimeSpan"/>. Every setting means what the command line's option
/// of the same name means, defaults included (README, DESIGN section 1), and is validated the same way. A record whose
/// backend and schedule are objects: two setups are equal when they hold the same instances.
/// </summary>
public sealed record TrainingSetup
{
    /// <summary>What <see cref="ToOptions"/> records as the data of a run on data held in memory (a run file cannot reload it).</summary>
    public const string InMemoryPrefix = "in-memory:";

    /// <summary>
    /// Where the workers run: <see cref="ThreadsBackend"/> (default) or <see cref="SimulatedBackend"/>. (The cluster backend
    /// rebuilds the model and the data on every silo from a run's configuration, so it runs <see cref="Trainer.Run"/>'s
    /// catalog models on data specs, not a model of the caller's own.)
    /// </summary>
    public IExecutionBackend Backend { get; init; } = new ThreadsBackend();

    /// <summary>Number of workers N.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Number of compute groups g (divides N; 1 = synchronous); null = N (fully asynchronous).</summary>
    public int? Groups { get; init; }

    /// <summary>Samples per update B, whatever g is (a group's members split it); null = the model's recipe, else 64 (as <c>--batch</c>).</summary>
    public int? Batch { get; init; }

    /// <summary>
    /// The learning-rate schedule alpha_t (its base rate is the learning rate); null = a constant rate, the model's default
    /// (<see cref="ModelDefaults.LearningRate"/>; 0.05 for a model the catalog does not know), as without <c>--lr</c>.
    /// </summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Explicit momentum mu in (-1, 1), negative allowed (ignored when <see cref="AutoMomentum"/> is set).</summary>
    public double Momentum { get; init; }

    /// <summary>Closed-loop momentum control (<c>--momentum auto[:TARGET]</c>); a null target is found by a short synchronous tune first.</summary>
    public AutoMomentumOptions? AutoMomentum { get; init; }

    /// <summary>Weight decay lambda >= 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Atomic (consistent reads and updates) or Hogwild (lock-free).</summary>
    public UpdateDiscipline Discipline { get; init; } = UpdateDiscipline.Atomic;

    /// <summary>Stop after this many updates.</summary>
    public long? Updates { get; init; }

    /// <summary>Stop after this many passes over the training set.</summary>
    public double? Epochs { get; init; }

    /// <summary>Stop after this much training time (simulated time on the simulator).</summary>
    public TimeSpan? Time { get; init; }

    /// <summary>Stop once the evaluation loss is at or below this value.</summary>
    public double? TargetLoss { get; init; }

    /// <summary>Run seed: initialisation, batch streams, dropout masks and the simulator's clock derive from it.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Evaluate every this many updates (null = about 50 points over a run of known length, else every half epoch).</summary>
    public int? EvalEvery { get; init; }

    /// <summary>Write the run folder here (run.json, curve.csv, staleness.csv, checkpoint.bin); null = write no files.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Checkpoint every this many updates when a folder is written (null = only at the end; 0 = never).</summary>
    public long? CheckpointEvery { get; init; }

    /// <summary>
    /// The same run as <see cref="TrainingOptions"/>, the configuration language of the command line and run.json (the
    /// record's <c>config</c>); <c>data</c> names the in-memory data, which a run file cannot reload.
    /// </summary>
    public TrainingOptions ToOptions(IModel model, DataSplit data) => new()
    {
        Model = model.Name,
        Data = InMemoryPrefix + data.Description,
        Backend = Backend.Name,
        Workers = Workers,
        Groups = Groups,
        Batch = Batch,
        LearningRate = Schedule?.BaseRate,
        Schedule = Schedule?.Spec,
        Momentum = AutoMomentum is null ? Momentum : null,
        AutoMomentum = AutoMomentum,
        WeightDecay = WeightDecay,
        Discipline = Discipline,
        Updates = Updates,
        Epochs = Epochs,
        TimeSeconds = Time?.TotalSeconds,
        TargetLoss = TargetLoss,
        Seed = Seed,
        OutDir = OutputDirectory,
        EvalEvery = EvalEvery,
        EvalSize = Math.Max(1, data.EvalRows.Length),
        CheckpointEvery = CheckpointEvery,
    };
}
