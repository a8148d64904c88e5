using Polyak.Models;
using Polyak.Optimization;

namespace Polyak.Execution;

/// <summary>
/// Training options with every default filled in and validated: what a run actually used.
/// Created by <see cref="Resolve"/>, which throws <see cref="ArgumentException"/> naming the bad option.
/// </summary>
public sealed record ResolvedOptions
{
    /// <summary>The options as given (after defaults).</summary>
    public required TrainingOptions Given { get; init; }

    /// <summary>Number of workers N.</summary>
    public required int Workers { get; init; }

    /// <summary>Number of compute groups g.</summary>
    public required int Groups { get; init; }

    /// <summary>Workers per group N / g.</summary>
    public int GroupSize => Workers / Groups;

    /// <summary>Mini-batch size B.</summary>
    public required int Batch { get; init; }

    /// <summary>Base learning rate.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Explicit momentum at the start of the run.</summary>
    public required double Momentum { get; init; }

    /// <summary>The model's recipe when it supplied a default (null when every option was given or the model has none).</summary>
    public ModelRecipe? Recipe { get; init; }

    /// <summary>Which options came from the recipe, e.g. <c>["batch", "lr", "momentum", "schedule"]</c>.</summary>
    public IReadOnlyList<string> FromRecipe { get; init; } = [];

    /// <summary>Learning-rate schedule.</summary>
    public required LearningRateSchedule Schedule { get; init; }

    /// <summary>Run seed.</summary>
    public ulong Seed => Given.Seed;

    /// <summary>Checks the options that do not depend on the data or model; throws naming what is wrong.</summary>
    public static void ValidateGeneric(TrainingOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (string.IsNullOrWhiteSpace(o.Model)) throw new ArgumentException("--model is empty: give a model name or a layer spec");
        if (string.IsNullOrWhiteSpace(o.Data)) throw new ArgumentException("--data is empty");
        if (string.IsNullOrWhiteSpace(o.Backend)) throw new ArgumentException("--backend is empty: expected threads, simulated or cluster");
        if (o.Simulation is null) throw new ArgumentException("simulation settings are missing");
        if (!Enum.IsDefined(o.Discipline)) throw new ArgumentException($"--discipline must be atomic or hogwild, got {(int)o.Discipline}");
        if (o.Workers < 1) throw new ArgumentException($"--workers must be >= 1, got {o.Workers}");
        if (o.Workers > 4096) throw new ArgumentException($"--workers must be <= 4096, got {o.Workers}");
        int g = o.Groups ?? o.Workers;
        if (g < 1) throw new ArgumentException($"--groups must be >= 1, got {g}");
        if (o.Workers % g != 0) throw new ArgumentException($"--groups {g} does not divide --workers {o.Workers}");
        if (o.Batch is int b)
        {
            if (b < 1) throw new ArgumentException($"--batch must be >= 1, got {b}");
            if (b < o.Workers / g)
                throw new ArgumentException($"--batch {b} is smaller than the group size {o.Workers / g}: every member needs at least one sample");
        }
        if (o.LearningRate is double lr && (!(lr > 0) || !double.IsFinite(lr)))
            throw new ArgumentException($"--lr must be a positive finite number, got {lr}");
        if (o.Momentum is double mu) Polyak.Optimization.Momentum.Validate(mu, "--momentum");
        if (!(o.WeightDecay >= 0) || !double.IsFinite(o.WeightDecay)) throw new ArgumentException($"--weight-decay must be a finite number >= 0, got {o.WeightDecay}");
        if (o.Updates is long u && u < 1) throw new ArgumentException($"--updates must be >= 1, got {u}");
        if (o.Epochs is double e && (!(e > 0) || !double.IsFinite(e))) throw new ArgumentException($"--epochs must be > 0, got {e}");
        if (o.TimeSeconds is double t && (!(t > 0) || !double.IsFinite(t))) throw new ArgumentException($"--time must be > 0 seconds, got {t}");
        if (o.TargetLoss is double x && (!double.IsFinite(x) || x < 0))
            throw new ArgumentException($"--target-loss must be a finite number >= 0 (every model's loss is >= 0), got {x}");
        if (o.StalenessPolicy is string sp)
        {
            Optimization.StalenessPolicy policy;
            try { policy = Optimization.StalenessPolicy.Parse(sp); }
            catch (FormatException ex) { throw new ArgumentException($"--staleness-policy: {ex.Message}"); }
            if (o.Discipline == UpdateDiscipline.Hogwild && !policy.RunsLockFree) throw new ArgumentException(policy.LockFreeRefusal);
        }
        if (o.TargetAccuracy is double acc && !(acc > 0 && acc <= 1))
            throw new ArgumentException($"--target-accuracy must be a fraction in (0, 1] (0.9 for 90 %), got {acc}");
        if (o.Validation is int val && val < 1) throw new ArgumentException($"--validation must be >= 1 rows, got {val}");
        if (o.Validation is not null && o.TargetAccuracy is null)
            throw new ArgumentException("--validation holds out rows for --target-accuracy; give --target-accuracy A too");
        if (o.EvalEvery is int ev && ev < 1) throw new ArgumentException($"--eval-every must be >= 1, got {ev}");
        if (o.EvalSize < 1) throw new ArgumentException($"--eval-size must be >= 1, got {o.EvalSize}");
        if (!(o.TestFraction > 0 && o.TestFraction < 1)) throw new ArgumentException($"--test-fraction must be in (0, 1), got {o.TestFraction}");
        if (!(o.DivergenceFactor > 1)) throw new ArgumentException($"divergence factor must be > 1, got {o.DivergenceFactor}");
        if (o.CheckpointEvery is long c && c < 0) throw new ArgumentException($"--checkpoint-every must be >= 0, got {c}");
        if (o.MaxMemoryBytes is long mem && mem < 1) throw new ArgumentException($"--max-memory must be a positive number of bytes, got {mem}");
        if (o.AutoMomentum is { } a) MomentumController.Validate(a, a.Target);
        if (string.Equals(o.Backend, "simulated", StringComparison.OrdinalIgnoreCase)) ClockModel.Validate(o.Simulation, o.Workers);
        // Syntax only: the run's length (for "cosine" over the run) is known in Resolve, which checks it.
        if (o.Schedule is string spec)
        {
            try { LearningRateSchedule.Parse(spec, o.LearningRate ?? 0.1, runUpdates: 1); }
            catch (FormatException ex) { throw new ArgumentException($"--schedule: {ex.Message}"); }
        }
    }

    /// <summary>The batch size a run uses: as given, else the model's recipe, else 64.</summary>
    public static int BatchFor(TrainingOptions o, string modelName) => o.Batch ?? ModelRecipe.For(modelName)?.Batch ?? 64;

    /// <summary>
    /// Resolves the defaults that depend on the model: options not given come from the model's recipe
    /// (<see cref="ModelRecipe"/>), else from <paramref name="defaultLearningRate"/>, momentum 0, batch 64 and a constant
    /// rate. <paramref name="runUpdates"/> is the run's update limit (null or long.MaxValue when unknown),
    /// which fixes the length of a <c>cosine</c> schedule.
    /// </summary>
    public static ResolvedOptions Resolve(TrainingOptions o, double defaultLearningRate, string modelName = "", long? runUpdates = null)
    {
        ValidateGeneric(o);
        int groups = o.Groups ?? o.Workers;
        var recipe = ModelRecipe.For(modelName);
        var fromRecipe = new List<string>();
        int batch = BatchFor(o, modelName);
        if (o.Batch is null && recipe is not null) fromRecipe.Add("batch");
        if (batch < o.Workers / groups)
            throw new ArgumentException($"batch {batch} (the {modelName} recipe's) is smaller than the group size {o.Workers / groups}: give --batch");
        double lr = o.LearningRate ?? recipe?.LearningRate ?? defaultLearningRate;
        if (o.LearningRate is null && recipe is not null) fromRecipe.Add("lr");
        double mu = o.Momentum ?? recipe?.Momentum ?? 0;
        if (o.Momentum is null && recipe is not null && o.AutoMomentum is null) fromRecipe.Add("momentum");
        long? length = runUpdates is long n && n != long.MaxValue ? n : null;
        string spec = o.Schedule ?? (recipe is { Cosine: true } && length is not null ? "cosine" : "constant");
        if (o.Schedule is null && recipe is { Cosine: true } && length is not null) fromRecipe.Add("schedule");
        LearningRateSchedule schedule;
        try { schedule = LearningRateSchedule.Parse(spec, lr, length); }
        catch (FormatException ex) { throw new ArgumentException($"--schedule: {ex.Message}"); }
        return new ResolvedOptions
        {
            Given = o with { LearningRate = lr, Groups = groups, Batch = batch, Momentum = mu, Schedule = schedule.Spec },
            Workers = o.Workers,
            Groups = groups,
            Batch = batch,
            LearningRate = lr,
            Momentum = mu,
            Schedule = schedule,
            Recipe = fromRecipe.Count > 0 ? recipe : null,
            FromRecipe = fromRecipe,
        };
    }
}
