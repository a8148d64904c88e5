using System.Globalization;
using Polyak.Data;
using Polyak.Models;

namespace Polyak.Execution;

/// <summary>
/// The resolve stage of a run: from <see cref="TrainingOptions"/> (strings, as on the command line) to a typed
/// <see cref="RunPlan"/>. It validates the options, creates the backend, loads the data and builds the model unless they
/// are given, fixes the run's length (updates, epochs, or 5 epochs when no stop condition is given; it sizes a
/// <c>cosine</c> schedule), fills every default (the model's recipe, else the per-model constants) and the evaluation
/// period, and refuses a batch larger than the training split and a run whose memory estimate
/// (<see cref="MemoryEstimate"/>) exceeds the limit. Throws <see cref="ArgumentException"/> naming the bad option.
/// </summary>
public static class RunPlanner
{
    /// <summary>Epochs a run trains when no stop condition is given.</summary>
    public const double DefaultEpochs = 5;

    /// <summary>Loads the data the options name: train, test and the fixed evaluation rows (seeded by the data seed).</summary>
    public static DataSplit LoadData(TrainingOptions o)
    {
        ulong seed = o.DataSeed ?? o.Seed;
        var (train, test, description) = DataCatalog.Load(o.Data, o.Format, o.TestFraction, seed);
        var split = new DataSplit(train, test, DataSplit.ChooseEvalRows(train.Count, o.EvalSize, seed), description) { Source = DataSpec.Absolute(o.Data) };
        return o.Validation is int rows ? split.WithValidation(rows, o.EvalSize, seed) : split;
    }

    /// <summary>
    /// Plans a run. <paramref name="data"/>, <paramref name="model"/> and <paramref name="backend"/> replace what the
    /// options name (shared tuning data, a user's own model, a configured backend instance); a plan with a given model,
    /// or with data not loaded from the options' own data spec, is not <see cref="RunPlan.Portable"/>. The backend checks
    /// the plan (<see cref="IExecutionBackend.Validate"/>) before anything runs.
    /// </summary>
    public static RunPlan Plan(TrainingOptions options, DataSplit? data = null, IModel? model = null, IExecutionBackend? backend = null,
        Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ResolvedOptions.ValidateGeneric(options with { Simulation = options.Simulation ?? new SimulationOptions() });
        // Data paths are recorded absolute, so the run's record and checkpoint find them from any directory.
        options = options with { Data = DataSpec.Absolute(options.Data) };
        backend ??= BackendCatalog.Create(options.Backend, options);
        // A simulator given its own clock model simulates that one, and the record says so.
        if (backend is SimulatedBackend { Simulation: { } clock }) options = options with { Simulation = clock };
        ResolvedOptions.ValidateGeneric(options);
        backend.ValidateOptions(options); // before the data is loaded (e.g. the cluster's endpoint answers)
        bool portable = model is null && (data is null || data.Source == options.Data);
        bool loaded = data is null;
        data ??= LoadData(options);
        log?.Invoke($"data: {data.Description}");
        if (loaded)
            foreach (string warning in ClassBalance.Warnings(data.Train)) log?.Invoke($"warning: data: {warning}");
        model ??= ModelCatalog.Create(options.Model, data.Train);
        if (model.ParameterCount < 1) throw new ArgumentException($"model '{model.Name}' has no parameters");

        // The run's length in updates (it fixes a cosine schedule), then every default.
        int batch = ResolvedOptions.BatchFor(options, model.Name);
        if (batch > data.Train.Count)
            throw new ArgumentException($"{(options.Batch is null ? $"the {model.Name} default batch" : "--batch")} {batch:N0} is larger than the training split ({data.Train.Count:N0} rows); give a --batch of at most {data.Train.Count:N0}");
        long updateLimit = long.MaxValue;
        if (options.Updates is long u) updateLimit = u;
        if (options.Epochs is double e) updateLimit = Math.Min(updateLimit, Math.Max(1, (long)Math.Ceiling(e * data.Train.Count / batch)));
        bool noStop = options.Updates is null && options.Epochs is null && options.TimeSeconds is null && options.TargetLoss is null && options.TargetAccuracy is null;
        if (options.TargetAccuracy is not null && !model.IsClassifier)
            throw new ArgumentException($"--target-accuracy needs a classifier; model '{model.Name}' is a regression");
        if (options.Validation is not null && data.Validation is null)
            throw new ArgumentException("--validation: the data given to this run has no validation split (give the rows in the options the data is loaded from)");
        if (noStop) updateLimit = Math.Max(1, (long)Math.Ceiling(DefaultEpochs * data.Train.Count / batch));
        // The data-scaled default rate is computed only when it is used (a power iteration over a sample of rows).
        double defaultLr = options.LearningRate is null ? ModelDefaults.LearningRate(model, data.Train) : ModelDefaults.LearningRate(model);
        if (options.LearningRate is null && defaultLr < ModelDefaults.LearningRate(model))
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"lr {defaultLr:G3}: the {model.Name} default {ModelDefaults.LearningRate(model):G3} scaled down for inputs larger than Fashion-MNIST's (give --lr to choose)"));
        var resolved = ResolvedOptions.Resolve(options, defaultLr, model.Name, updateLimit);
        var config = resolved.Given;
        if (noStop) config = config with { Epochs = DefaultEpochs };
        int evalEvery = options.EvalEvery
            ?? (int)Math.Clamp(updateLimit == long.MaxValue ? data.Train.Count / resolved.Batch / 2 : updateLimit / 50, 1, int.MaxValue);
        config = config with { EvalEvery = evalEvery };
        // The stop reason names the epoch budget when it (not --updates) set the limit; 5 epochs when no limit was given.
        double? epochLimit = noStop ? DefaultEpochs : options.Epochs is double el && updateLimit < (options.Updates ?? long.MaxValue) ? el : null;

        log?.Invoke($"model: {model.Name} ({model.ParameterCount:N0} parameters); backend {backend.Name}: {resolved.Workers} workers in {resolved.Groups} group(s) of {resolved.GroupSize}");
        if (resolved.Recipe is { } recipe)
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"recipe {model.Name} for {string.Join(", ", resolved.FromRecipe)}: lr {recipe.LearningRate:G4}, momentum {recipe.Momentum:G4}, batch {recipe.Batch}{(recipe.Cosine ? ", cosine over the run" : "")}"));

        var plan = new RunPlan
        {
            Config = config,
            Requested = options,
            Model = model,
            Data = data,
            Backend = backend,
            Workers = resolved.Workers,
            Groups = resolved.Groups,
            Batch = resolved.Batch,
            Schedule = resolved.Schedule,
            Momentum = resolved.Momentum,
            AutoMomentum = options.AutoMomentum,
            WeightDecay = options.WeightDecay,
            Discipline = options.Discipline,
            UpdateLimit = updateLimit,
            EpochLimit = epochLimit,
            TimeLimit = options.TimeSeconds,
            TargetLoss = options.TargetLoss,
            TargetAccuracy = options.TargetAccuracy,
            StalenessPolicy = options.StalenessPolicy is string policy ? Optimization.StalenessPolicy.Parse(policy) : Optimization.StalenessPolicy.None,
            DivergenceFactor = options.DivergenceFactor,
            Recipe = resolved.Recipe,
            FromRecipe = resolved.FromRecipe,
            Portable = portable,
        };
        // Before the first large allocation: the run's memory against what the process may use (or --max-memory).
        var memory = MemoryEstimate.Check(plan, options.MaxMemoryBytes);
        log?.Invoke($"memory: about {MemoryEstimate.Format(memory.TotalBytes)} ({memory.Describe()})");
        backend.Validate(plan);
        return plan;
    }

    /// <summary>The plan with closed-loop momentum's target fixed (found before training when it was not given).</summary>
    public static RunPlan WithAutoMomentumTarget(RunPlan plan, double target)
    {
        var auto = plan.AutoMomentum ?? throw new InvalidOperationException("the run has no auto momentum");
        var fixedAuto = auto with { Target = target };
        Optimization.MomentumController.Validate(fixedAuto, target);
        return plan with { AutoMomentum = fixedAuto, Config = plan.Config with { AutoMomentum = fixedAuto } };
    }
}
