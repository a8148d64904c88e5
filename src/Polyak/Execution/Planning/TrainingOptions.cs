using System.Text.Json.Serialization;
using Polyak.Optimization;

namespace Polyak.Execution;

/// <summary>
/// The full configuration of a training run, as given on the command line or in a run file (JSON).
/// Every field has the meaning of DESIGN section 1 on every backend. Null means "choose a default".
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Model name or spec (<c>auto</c>, <c>linear</c>, <c>logistic</c>, <c>softmax</c>, ...).</summary>
    public string Model { get; init; } = "auto";

    /// <summary>Data spec: <c>synthetic[:NAME]</c>, a named set, or a path.</summary>
    public string Data { get; init; } = "synthetic";

    /// <summary>Forces the data format when given.</summary>
    public string? Format { get; init; }

    /// <summary>Execution backend: threads, simulated, cluster.</summary>
    public string Backend { get; init; } = "threads";

    /// <summary>Number of workers N.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Number of compute groups g (divides N; 1 = synchronous, N = asynchronous). Null = N.</summary>
    public int? Groups { get; init; }

    /// <summary>Mini-batch size B of every update; null = the model's recipe (<see cref="Models.ModelRecipe"/>), else 64.</summary>
    public int? Batch { get; init; }

    /// <summary>Base learning rate; null = the model's recipe carried to the run's asynchrony, else the model's default.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Explicit momentum mu in (-1, 1); null = the model's recipe carried to the run's asynchrony, else 0.</summary>
    public double? Momentum { get; init; }

    /// <summary>Closed-loop momentum control, when enabled (<c>--momentum auto[:TARGET]</c>).</summary>
    public AutoMomentumOptions? AutoMomentum { get; init; }

    /// <summary>Weight decay lambda >= 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>
    /// Learning-rate schedule spec (constant, step:EVERY:FACTOR, inverse:T, cosine, cosine:TOTAL); null = cosine over the
    /// run for a model whose recipe says so when the run's length is known, else constant.
    /// </summary>
    public string? Schedule { get; init; }

    /// <summary>Update discipline at the parameter server.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<UpdateDiscipline>))]
    public UpdateDiscipline Discipline { get; init; } = UpdateDiscipline.Atomic;

    /// <summary>Stop after this many updates.</summary>
    public long? Updates { get; init; }

    /// <summary>Stop after this many passes over the training set (counted in samples: updates x B / n).</summary>
    public double? Epochs { get; init; }

    /// <summary>Stop after this many seconds of training (wall clock; simulated seconds on the simulator).</summary>
    public double? TimeSeconds { get; init; }

    /// <summary>Stop once the evaluation loss is at or below this value.</summary>
    public double? TargetLoss { get; init; }

    /// <summary>
    /// Stop once the accuracy on the held-out split (the validation split when <see cref="Validation"/> is given, else
    /// the test split) is at least this fraction in (0, 1]; it is evaluated at every evaluation point, and its time is
    /// excluded from the training clock (the DAWNBench convention).
    /// </summary>
    public double? TargetAccuracy { get; init; }

    /// <summary>
    /// The server-side staleness policy (<c>--staleness-policy</c>): <c>none</c> (default), <c>lr-scale</c>,
    /// <c>drop:T</c>, <c>dc[:LAMBDA]</c> (<see cref="Optimization.StalenessPolicy"/>).
    /// </summary>
    public string? StalenessPolicy { get; init; }

    /// <summary>Rows held out of the training data as a validation split (seeded by the data seed), for accuracy targets that must not touch the test split.</summary>
    public int? Validation { get; init; }

    /// <summary>Run seed; every random stream derives from it (and the data's, unless <see cref="DataSeed"/> is given).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Seed of the data alone (synthetic generation, the held-out split when the data has none, the evaluation subset);
    /// null = the run seed. Tune and study runs share data made with the base seed S while run k uses seed k, so
    /// <c>--seed k --data-seed S</c> reproduces one of them. Omitted from JSON when null.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ulong? DataSeed { get; init; }

    /// <summary>Output folder of the run (null = runs/&lt;timestamp&gt;).</summary>
    public string? OutDir { get; init; }

    /// <summary>Evaluate every this many updates (null = about 50 points over the run).</summary>
    public int? EvalEvery { get; init; }

    /// <summary>Size of the fixed evaluation subset of the training data.</summary>
    public int EvalSize { get; init; } = 2000;

    /// <summary>Fraction of a loaded data set held out as test split when the source has none.</summary>
    public double TestFraction { get; init; } = 0.1;

    /// <summary>The run is diverged when the evaluation loss exceeds this multiple of the initial loss.</summary>
    public double DivergenceFactor { get; init; } = 100;

    /// <summary>Write a checkpoint every this many updates (null = every 30 s and every tenth of the run; 0 = never).</summary>
    public long? CheckpointEvery { get; init; }

    /// <summary>
    /// The memory a run may need, in bytes (null = what the process may use, <see cref="MemoryEstimate.AvailableBytes"/>):
    /// a run whose estimate (<see cref="MemoryEstimate"/>) exceeds it is refused before anything large is allocated.
    /// </summary>
    public long? MaxMemoryBytes { get; init; }

    /// <summary>Simulator settings (compute-time distribution, clock model); used by the simulated backend.</summary>
    public SimulationOptions Simulation { get; init; } = new();

    /// <summary>Cluster endpoint HOST:PORT for the cluster backend.</summary>
    public string? Cluster { get; init; }
}
