using System.Globalization;
using System.Reflection;
using System.Text;
using Polyak.Data;
using System.Text.Json;
using Polyak.Models;

namespace Polyak.Execution;

/// <summary>
/// Runs one training job end to end on any backend: loads the data, builds the model and the parameter server,
/// trains until a stop condition, evaluates, and writes the run folder (<c>run.json</c>, <c>curve.csv</c>,
/// <c>staleness.csv</c>). The record is written even when training diverges or fails part-way.
/// </summary>
public sealed class Trainer
{
    /// <summary>Polyak's version string.</summary>
    public static string Version { get; } =
        typeof(Trainer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "0.0.0";

    /// <summary>Progress sink for live output.</summary>
    public IProgress<ProgressReport>? Progress { get; init; }

    /// <summary>Informational messages (data loaded, where the run is written...).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Test hook applied to the context before training starts.</summary>
    public Action<TrainingContext>? Configure { get; init; }

    /// <summary>Whether to write the run folder (tuning runs may skip it).</summary>
    public bool WriteFiles { get; init; } = true;

    /// <summary>
    /// Default learning rate per model when <c>--lr</c> is not given: the model's recipe when it has one
    /// (<see cref="ModelRecipe"/>), else a per-model constant. <c>polyak tune</c> and <c>study</c> centre their
    /// learning-rate grids on it.
    /// </summary>
    public static double DefaultLearningRate(IModel model) => ModelRecipe.For(model.Name)?.LearningRate ?? model.Name switch
    {
        "linear" => 0.1,
        "logistic" => 0.5,
        "softmax" => 0.5,
        "mlp" => 0.1,
        "cifar" => 0.02,
        _ when model.Name.StartsWith("mlp:", StringComparison.Ordinal) => 0.1,
        _ => 0.05,
    };

    /// <summary>Loads data for the options (train, test, eval rows).</summary>
    public static DataSplit LoadData(TrainingOptions o)
    {
        ulong seed = o.DataSeed ?? o.Seed;
        var (train, test, description) = DataCatalog.Load(o.Data, o.Format, o.TestFraction, seed);
        return new DataSplit(train, test, DataSplit.ChooseEvalRows(train.Count, o.EvalSize, seed), description);
    }

    /// <summary>Trains with the given options; <paramref name="data"/> may be passed to reuse loaded data.</summary>
    public TrainingResult Run(TrainingOptions options, CancellationToken cancel = default, DataSplit? data = null)
        => RunCore(options, cancel, data, null);

    /// <summary>
    /// Continues the run saved in <paramref name="runDir"/> (its <c>checkpoint.bin</c>). <paramref name="adjust"/> may
    /// change the stop conditions (e.g. more updates); everything else comes from the checkpoint.
    /// </summary>
    public TrainingResult Resume(string runDir, Func<TrainingOptions, TrainingOptions>? adjust = null, CancellationToken cancel = default, DataSplit? data = null)
    {
        if (!Directory.Exists(runDir)) throw new ArgumentException($"--resume: run folder '{runDir}' does not exist");
        string path = Path.Combine(runDir, CheckpointFile.FileName);
        if (!File.Exists(path)) throw new ArgumentException($"--resume: '{runDir}' has no {CheckpointFile.FileName} (was the run started with checkpoints off?)");
        var checkpoint = CheckpointFile.Read(path);
        var options = checkpoint.State.Config with { OutDir = runDir };
        if (adjust is not null) options = adjust(options) with { OutDir = runDir };
        Log?.Invoke($"resuming {runDir} at update {checkpoint.State.Version}");
        return RunCore(options, cancel, data, checkpoint);
    }

    private TrainingResult RunCore(TrainingOptions options, CancellationToken cancel, DataSplit? data, (CheckpointState State, float[] W, float[] V)? resume)
    {
        ResolvedOptions.ValidateGeneric(options);
        DateTime started = resume?.State.StartedUtc ?? DateTime.UtcNow;
        var backend = BackendCatalog.Create(options.Backend);
        data ??= LoadData(options);
        Log?.Invoke($"data: {data.Description}");
        IModel model = ModelCatalog.Create(options.Model, data.Train);

        // The run's length in updates (it fixes a cosine schedule), then every default.
        int batch = ResolvedOptions.BatchFor(options, model.Name);
        long updateLimit = long.MaxValue;
        if (options.Updates is long u) updateLimit = u;
        if (options.Epochs is double e) updateLimit = Math.Min(updateLimit, Math.Max(1, (long)Math.Ceiling(e * data.Train.Count / batch)));
        bool noStop = options.Updates is null && options.Epochs is null && options.TimeSeconds is null && options.TargetLoss is null;
        if (noStop) updateLimit = Math.Max(1, (long)Math.Ceiling(5.0 * data.Train.Count / batch));
        var resolved = ResolvedOptions.Resolve(options, DefaultLearningRate(model), model.Name, updateLimit);
        if (noStop) resolved = resolved with { Given = resolved.Given with { Epochs = 5 } };
        Log?.Invoke($"model: {model.Name} ({model.ParameterCount:N0} parameters); backend {backend.Name}: {resolved.Workers} workers in {resolved.Groups} group(s) of {resolved.GroupSize}");
        if (resolved.Recipe is { } recipe)
            Log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"recipe {model.Name} for {string.Join(", ", resolved.FromRecipe)}: lr {recipe.LearningRate:G4}, momentum {recipe.Momentum:G4}, batch {recipe.Batch}{(recipe.Cosine ? ", cosine over the run" : "")}"));

        var w = new float[model.ParameterCount];
        model.Initialize(w, Numerics.RandomStream.DeriveSeed(options.Seed, 0x1417));
        var server = new ParameterServer(w, resolved.Momentum, options.WeightDecay, resolved.Schedule, options.Discipline);
        int evalEvery = options.EvalEvery
            ?? (int)Math.Clamp(updateLimit == long.MaxValue ? data.Train.Count / resolved.Batch / 2 : updateLimit / 50, 1, int.MaxValue);
        resolved = resolved with { Given = resolved.Given with { EvalEvery = evalEvery } };

        string? runDir = WriteFiles ? CreateRunDir(options, model) : null;
        long checkpointEvery = options.CheckpointEvery ?? 0;
        // The stop reason names the epoch budget when it (not --updates) set the limit; 5 epochs when no limit was given.
        double? epochLimit = noStop ? 5 : options.Epochs is double el && updateLimit < (options.Updates ?? long.MaxValue) ? el : null;
        var monitor = new RunMonitor(updateLimit, options.TimeSeconds, options.TargetLoss, options.DivergenceFactor, evalEvery, Progress, cancel)
        {
            CheckpointEvery = runDir is null ? 0 : checkpointEvery,
            EpochLimit = epochLimit,
            // The curve's momentum column: the explicit momentum in force (constant unless auto momentum changes it).
            MomentumProbe = () => server.Momentum,
        };
        Optimization.MomentumController? controller = null;
        double tuneSeconds = 0;
        long tuneUpdates = 0;
        string targetSource = "given";
        if (options.AutoMomentum is { } auto)
        {
            double target;
            if (auto.Target is double given) target = given;
            else
            {
                // No target: the best synchronous momentum of a short tune (a quarter of the run, at most 2000 updates).
                long runBudget = updateLimit != long.MaxValue ? updateLimit : Math.Max(1, (long)Math.Ceiling(2.0 * data.Train.Count / resolved.Batch));
                long budget = Math.Min(2000, runBudget / 4);
                var (found, tune) = Tuning.SynchronousMomentumTarget.Find(options, data, resolved.LearningRate, budget, Log);
                target = found;
                targetSource = "synchronous tune";
                tuneSeconds = tune.CostSeconds;
                tuneUpdates = tune.CostUpdates;
                resolved = resolved with { Given = resolved.Given with { AutoMomentum = auto with { Target = target } } };
            }
            controller = new Optimization.MomentumController(server, auto, target, resolved.Groups,
                Numerics.RandomStream.DeriveSeed(options.Seed, 0xA070), updateLimit == long.MaxValue ? 0 : updateLimit);
            server.Observer = controller;
            Log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"auto momentum: target total {target:G4}, start mu_e {controller.Start:G4}, gain {auto.Gain:G3}, period {auto.Period}, bounds [{auto.Min:G3}, {auto.Max:G3}]"));
        }
        var context = new TrainingContext(resolved, model, data, server, monitor);
        var evalWorkspace = model.CreateWorkspace(256, 0);

        if (resume is { } r)
        {
            var st = r.State;
            if (st.ParameterCount != model.ParameterCount)
                throw new ArgumentException($"checkpoint has {st.ParameterCount} parameters but model '{model.Name}' on this data has {model.ParameterCount}");
            if (st.SamplesDrawn.Length != resolved.Groups)
                throw new ArgumentException($"checkpoint has {st.SamplesDrawn.Length} batch streams but the run has {resolved.Groups} groups");
            server.Restore(r.W, r.V, st.Version, StalenessHistogram.FromCounts(st.Staleness));
            server.Momentum = st.Momentum;
            if (controller is not null && st.AutoMomentumSeries is { } series)
            {
                try { controller.Restore(series, st.AutoMomentumEstimator); }
                catch (ArgumentException ex) { throw new ArgumentException($"--resume: {ex.Message}"); }
            }
            for (int g = 0; g < resolved.Groups; g++) context.Samplers[g].FastForward(st.SamplesDrawn[g]);
            monitor.Restore(st.Curve, st.WallSeconds, st.EvalSeconds, st.Version, st.TargetReachedAt);
            if (st.Backend is JsonElement bs)
            {
                if (backend is not IResumableBackend rb)
                    throw new ArgumentException($"checkpoint carries backend state but backend '{backend.Name}' cannot resume it");
                rb.RestoreState(bs, context);
            }
        }
        string? checkpointPath = runDir is null || options.CheckpointEvery == 0 ? null : Path.Combine(runDir, CheckpointFile.FileName);
        object checkpointLock = new();
        void WriteCheckpoint()
        {
            if (checkpointPath is null) return;
            lock (checkpointLock)
            {
                var cw = new float[model.ParameterCount];
                var cv = new float[model.ParameterCount];
                long version = server.Snapshot(cw, cv);
                var state = new CheckpointState
                {
                    PolyakVersion = Version,
                    Config = resolved.Given,
                    ParameterCount = model.ParameterCount,
                    Version = version,
                    Staleness = server.Staleness.ToArray(),
                    SamplesDrawn = context.Samplers.Select(s => s.SamplesDrawn).ToArray(),
                    Momentum = server.Momentum,
                    Curve = monitor.Curve.ToList(),
                    WallSeconds = monitor.WallSeconds,
                    EvalSeconds = monitor.EvalSeconds,
                    TargetReachedAt = monitor.TargetReachedAt,
                    StartedUtc = started,
                    Backend = backend is IResumableBackend rb ? rb.CaptureState() : null,
                    AutoMomentumSeries = controller?.Series.ToList(),
                    AutoMomentumEstimator = controller?.Estimator.GetState(),
                };
                CheckpointFile.Write(checkpointPath, state, cw, cv);
            }
        }
        if (checkpointPath is not null && checkpointEvery > 0) context.WriteCheckpoint = WriteCheckpoint;
        Configure?.Invoke(context);

        if (resume is null) context.EvaluateAndRecord(w, 0, evalWorkspace);
        Exception? failure = null;
        monitor.Start();
        try
        {
            if (!monitor.ShouldStop) backend.Run(context);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = ex;
            monitor.RequestStop(RunStatus.Failed, ex.Message);
        }
        monitor.Halt();

        // Final evaluation on the eval subset (training loss) and on the test split (accuracy).
        var final = new float[model.ParameterCount];
        var finalV = new float[model.ParameterCount];
        long finalVersion = server.Snapshot(final, finalV);
        var curve = monitor.Curve;
        if (curve.Count == 0 || curve[^1].Update != finalVersion)
            context.EvaluateAndRecord(final, finalVersion, evalWorkspace);
        curve = monitor.Curve;
        var allTest = Enumerable.Range(0, data.Test.Count).ToArray();
        var test = model.Evaluate(final, data.Test, allTest, evalWorkspace);
        if (monitor.Status != RunStatus.Diverged && failure is null) WriteCheckpoint();

        double evalWallSeconds = monitor.EvalSeconds / (backend.EvaluatesInParallel ? Math.Max(1, resolved.Groups) : 1);
        double trainSeconds = Math.Max(1e-9, monitor.WallSeconds - evalWallSeconds);
        var h = server.Staleness;
        var summary = new RunSummary
        {
            Updates = finalVersion,
            Epochs = (double)finalVersion * resolved.Batch / data.Train.Count,
            InitialLoss = curve[0].Loss,
            FinalLoss = curve[^1].Loss,
            FinalAccuracy = model.IsClassifier ? test.Accuracy : null,
            TestLoss = test.Loss,
            WallSeconds = monitor.WallSeconds,
            EvalSeconds = monitor.EvalSeconds,
            EvalWallSeconds = evalWallSeconds,
            UpdatesPerSecond = finalVersion / trainSeconds,
            SamplesPerSecond = finalVersion * (double)resolved.Batch / trainSeconds,
            SecondsPerUpdate = finalVersion == 0 ? double.NaN : trainSeconds / finalVersion,
            SimulatedSeconds = monitor.SimulatedClock?.Invoke(),
            Staleness = new StalenessSummary(h.Mean, Math.Max(0, h.Max), h.ToArray()),
            ReachedTarget = options.TargetLoss is null ? null : monitor.TargetReachedAt is not null,
            UpdatesToTarget = monitor.TargetReachedAt,
        };
        var record = new RunRecord
        {
            PolyakVersion = Version,
            StartedUtc = started,
            Status = StatusName(monitor.Status),
            StopReason = monitor.StopReason,
            Config = resolved.Given,
            Data = new DataInfo(data.Description, data.Train.Count, data.Test.Count, data.EvalRows.Length, data.Train.FeatureCount, data.Train.ClassCount),
            Model = new ModelInfo(model.Name, model.ParameterCount, model.IsClassifier),
            Summary = summary,
            Curve = curve,
            Backend = context.BackendRecord,
            Recipe = resolved.Recipe is { } rc
                ? new RecipeRecord(model.Name, rc.LearningRate, rc.Momentum, rc.Batch, rc.Cosine, rc.Evidence, resolved.FromRecipe)
                : null,
            AutoMomentum = controller is null ? null : new Optimization.AutoMomentumRecord
            {
                Target = controller.Target,
                TargetSource = targetSource,
                Gain = controller.Options.Gain,
                Min = controller.Options.Min,
                Max = controller.Options.Max,
                Period = controller.Options.Period,
                Start = controller.Start,
                FinalExplicit = server.Momentum,
                FinalTotal = controller.Total,
                StalenessFallbacks = controller.StalenessFallbacks,
                WarmupVersions = controller.WarmupVersions,
                TuneSeconds = tuneSeconds,
                TuneUpdates = tuneUpdates,
                Series = controller.Series,
            },
        };
        if (runDir is not null) WriteRunFolder(runDir, record);
        return new TrainingResult(record, monitor.Status, runDir, final, finalV, failure);
    }

    /// <summary>A status as run.json, <c>--json</c> and the summary name it: snake_case (<c>completed</c>, <c>reached_target</c>, <c>diverged</c>...).</summary>
    public static string StatusName(RunStatus status) => JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    private static string CreateRunDir(TrainingOptions o, IModel model)
    {
        string dir = o.OutDir ?? Path.Combine("runs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{model.Name}-{o.Backend}");
        Directory.CreateDirectory(dir);
        return Path.GetFullPath(dir);
    }

    /// <summary>Writes run.json, curve.csv and staleness.csv into <paramref name="dir"/>.</summary>
    public static void WriteRunFolder(string dir, RunRecord record)
    {
        Directory.CreateDirectory(dir);
        Json.WriteFileAtomic(Path.Combine(dir, "run.json"), record);
        var csv = new StringBuilder("update,wall_seconds,simulated_seconds,loss,accuracy,momentum\n");
        foreach (var p in record.Curve)
            csv.Append(CultureInfo.InvariantCulture, $"{p.Update},{p.WallSeconds:G6},{p.SimulatedSeconds?.ToString("G6", CultureInfo.InvariantCulture)},{p.Loss:G7},{p.Accuracy?.ToString("G5", CultureInfo.InvariantCulture)},{p.Momentum:G5}\n");
        WriteTextAtomic(Path.Combine(dir, "curve.csv"), csv.ToString());
        var st = new StringBuilder("staleness,count\n");
        var hist = record.Summary.Staleness.Histogram;
        for (int l = 0; l < hist.Length; l++) st.Append(CultureInfo.InvariantCulture, $"{l},{hist[l]}\n");
        WriteTextAtomic(Path.Combine(dir, "staleness.csv"), st.ToString());
        if (record.AutoMomentum is { } auto) Reporting.MomentumControlFigure.Write(dir, auto);
    }

    /// <summary>Writes a text file atomically (temp file + rename).</summary>
    public static void WriteTextAtomic(string path, string text)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>The outcome of <see cref="Trainer.Run"/>: the record, status, run folder and final parameters.</summary>
public sealed record TrainingResult(RunRecord Record, RunStatus Status, string? RunDir, float[] Parameters, float[] MomentumBuffer, Exception? Failure);
