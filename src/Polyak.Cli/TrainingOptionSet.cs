using System.CommandLine;
using System.Globalization;
using System.CommandLine.Parsing;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Optimization;

namespace Polyak.Cli;

/// <summary>
/// The options shared by train, tune, study and optimize (DESIGN section 4), and how they combine with a run file:
/// values from <c>--config FILE</c> are the base, options given on the command line override them.
/// </summary>
public sealed class TrainingOptionSet
{
    public readonly Option<string?> Model = new("--model") { Description = "Model: auto, linear, logistic, softmax, mlp, lenet, cifar, or a layer spec" };
    public readonly Option<string?> Data = new("--data") { Description = "Data: synthetic[:mixture|binary|regression|images][,key=value...], fashion-mnist, mnist, or a path" };
    public readonly Option<string?> Format = new("--format") { Description = "Force the data format: idx, cifar, libsvm, libsvm-regression, csv, csv-regression (default: detected from the path)" };
    public readonly Option<string?> Backend = new("--backend") { Description = "Execution backend: threads (default), simulated, cluster" };
    public readonly Option<int?> Workers = new("--workers") { Description = "Number of workers N (default 2)" };
    public readonly Option<int?> Groups = new("--groups") { Description = "Number of compute groups g, dividing N (1 = sync, N = async; default N)" };
    public readonly Option<int?> Batch = new("--batch") { Description = "Mini-batch size B of every update (default: the model's recipe, lenet 16; else 64)" };
    public readonly Option<double?> LearningRate = new("--lr") { Description = "Learning rate alpha (default: the model's recipe, lenet 0.025; else by model)" };
    public readonly Option<string?> Momentum = new("--momentum") { Description = "Explicit momentum mu in (-1, 1), or auto[:TARGET] for closed-loop control (default: the model's recipe, lenet 0.75; else 0)" };
    public readonly Option<double?> MomentumGain = new("--momentum-gain") { Description = "Auto momentum: feedback gain gamma in (0, 1] (default 0.3)" };
    public readonly Option<string?> MomentumBounds = new("--momentum-bounds") { Description = "Auto momentum: bounds MIN,MAX of the explicit momentum (default -0.9,0.99)" };
    public readonly Option<int?> MomentumPeriod = new("--momentum-period") { Description = "Auto momentum: adjust every K updates (default 50)" };
    public readonly Option<string?> MomentumSignal = new("--momentum-signal") { Description = "Auto momentum: the implicit momentum it steers on, staleness (s / (1 + s) from the measured mean staleness; default) or trajectory (the online trajectory fit)" };
    public readonly Option<double?> WeightDecay = new("--weight-decay") { Description = "Weight decay lambda >= 0" };
    public readonly Option<string?> Schedule = new("--schedule") { Description = "Learning-rate schedule: constant, step:EVERY:FACTOR, inverse:T, cosine (over the run), cosine:TOTAL (default: cosine for models with a recipe when the run length is known; else constant)" };
    public readonly Option<string?> StalenessPolicy = new("--staleness-policy") { Description = "Server-side remedy for staleness: none (default), lr-scale (alpha/tau), drop:T (drop updates older than T), dc[:LAMBDA] (DC-ASGD delay compensation), dc-a[:LAMBDA0] (its adaptive variant), ssp:S (bounded staleness: no group more than S steps ahead of the slowest)" };
    public readonly Option<string?> Discipline = new("--discipline") { Description = "Parameter-server update discipline: atomic (default) or hogwild" };
    public readonly Option<long?> Updates = new("--updates") { Description = "Stop after K updates" };
    public readonly Option<double?> Epochs = new("--epochs") { Description = "Stop after E passes over the training data" };
    public readonly Option<double?> Time = new("--time") { Description = "Stop after SECONDS of training (simulated seconds on the simulator)" };
    public readonly Option<double?> TargetLoss = new("--target-loss") { Description = "Stop once the evaluation loss is <= X" };
    public readonly Option<double?> TargetAccuracy = new("--target-accuracy") { Description = "Stop once the accuracy on the test split (or --validation's) is >= A, a fraction (0.9 = 90 %); evaluation time is excluded from the clock" };
    public readonly Option<int?> Validation = new("--validation") { Description = "Hold N training rows out as a validation split for --target-accuracy (the test split stays untouched)" };
    public readonly Option<ulong?> Seed = new("--seed") { Description = "Run seed (default 1)" };
    public readonly Option<ulong?> DataSeed = new("--data-seed") { Description = "Seed of the data alone: synthetic generation, held-out split, evaluation subset (default: the run seed; tune/study record it per run)" };
    public readonly Option<string?> Out = new("--out") { Description = "Output folder (default runs/<time>-<model>-<backend>)" };
    public readonly Option<string?> Config = new("--config") { Description = "Run file (JSON: a previous run.json, or options by run.json's names or by these options' names without dashes, e.g. {\"lr\": 0.01}); command-line options override it" };
    public readonly Option<int?> EvalEvery = new("--eval-every") { Description = "Evaluate every K updates (default: about 50 points per run)" };
    public readonly Option<int?> EvalSize = new("--eval-size") { Description = "Rows of the fixed evaluation subset (default 2000)" };
    public readonly Option<string?> Distribution = new("--distribution") { Description = "Simulator gradient-time distribution: exponential, constant, uniform[:H], lognormal[:SIGMA]" };
    public readonly Option<string?> Cluster = new("--cluster") { Description = "Cluster gateway HOST:PORT (backend cluster), or a comma-separated list of gateways the client fails over between" };
    public readonly Option<string?> Resume = new("--resume") { Description = "Continue the run saved in this run folder (only stop conditions, --checkpoint-every and --json may be given)" };
    public readonly Option<bool> AllowChangedData = new("--allow-changed-data") { Description = "With --resume: continue even when the data's fingerprint differs from the checkpoint's (it is refused by default)" };
    public readonly Option<long?> CheckpointEvery = new("--checkpoint-every") { Description = "Write a checkpoint every K updates (default: every 30 s and every tenth of the run; 0 = never)" };
    public readonly Option<string?> MaxMemory = new("--max-memory") { Description = "Memory a run may need, e.g. 8G or 512M (default: what this process may use); a run estimated above it is refused before it allocates" };
    public readonly Option<bool> JsonOutput = new("--json") { Description = "Print the summary as one JSON object on the last line of stdout" };
    public readonly SimulationOptionSet Simulator = new();

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Model, Data, Format, Backend, Workers, Groups, Batch, LearningRate, Momentum, MomentumGain, MomentumBounds, MomentumPeriod, MomentumSignal, WeightDecay, Schedule,
                     Discipline, StalenessPolicy, Updates, Epochs, Time, TargetLoss, TargetAccuracy, Validation, Seed, DataSeed, Out, Config, EvalEvery, EvalSize, Distribution, Cluster, Resume, AllowChangedData, CheckpointEvery, MaxMemory, JsonOutput })
            command.Options.Add(o);
        Simulator.AddTo(command);
    }

    /// <summary>Builds training options: run file first (if any), then command-line overrides.</summary>
    public TrainingOptions Build(ParseResult p) => Build(p, new TrainingOptions());

    /// <summary>Builds training options on top of <paramref name="defaults"/> (e.g. a study preset): run file, then command-line overrides.</summary>
    public TrainingOptions Build(ParseResult p, TrainingOptions defaults)
    {
        var o = defaults;
        RunFileContent? file = p.GetValue(Config) is string path ? RunFile.Read(path) : null;
        if (file is not null) o = file.Options;
        if (p.GetValue(Model) is string m) o = o with { Model = m };
        if (p.GetValue(Data) is string d) o = o with { Data = d };
        if (p.GetValue(Format) is string f) o = o with { Format = f };
        if (p.GetValue(Backend) is string b) o = o with { Backend = b };
        if (p.GetValue(Workers) is int n)
        {
            // Changing N without naming g keeps the default "fully asynchronous" meaning.
            o = o with { Workers = n, Groups = p.GetValue(Groups) ?? (o.Groups == o.Workers ? null : o.Groups) };
        }
        if (p.GetValue(Groups) is int g) o = o with { Groups = g };
        if (p.GetValue(Batch) is int batch) o = o with { Batch = batch };
        if (p.GetValue(LearningRate) is double lr) o = o with { LearningRate = lr };
        if (p.GetValue(Momentum) is string mu) o = ApplyMomentum(o, mu);
        o = ApplyAutoMomentumSettings(p, o);
        if (p.GetValue(WeightDecay) is double wd) o = o with { WeightDecay = wd };
        if (p.GetValue(Schedule) is string s) o = o with { Schedule = s };
        if (p.GetValue(Discipline) is string disc)
        {
            o = o with
            {
                Discipline = disc.ToLowerInvariant() switch
                {
                    "atomic" => UpdateDiscipline.Atomic,
                    "hogwild" => UpdateDiscipline.Hogwild,
                    _ => throw new ArgumentException($"--discipline must be atomic or hogwild, got '{disc}'"),
                },
            };
        }
        if (p.GetValue(Updates) is long u) o = o with { Updates = u };
        if (p.GetValue(Epochs) is double e) o = o with { Epochs = e };
        if (p.GetValue(Time) is double t) o = o with { TimeSeconds = t };
        if (p.GetValue(TargetLoss) is double x) o = o with { TargetLoss = x };
        if (p.GetValue(TargetAccuracy) is double ta) o = o with { TargetAccuracy = ta };
        if (p.GetValue(Validation) is int val) o = o with { Validation = val };
        if (p.GetValue(StalenessPolicy) is string policy) o = o with { StalenessPolicy = policy };
        if (p.GetValue(Seed) is ulong seed) o = o with { Seed = seed };
        if (p.GetValue(DataSeed) is ulong dataSeed) o = o with { DataSeed = dataSeed };
        if (p.GetValue(Out) is string outDir) o = o with { OutDir = outDir }; // a run record's own folder is dropped by RunFile.Load
        if (p.GetValue(EvalEvery) is int ev) o = o with { EvalEvery = ev };
        if (p.GetValue(EvalSize) is int es) o = o with { EvalSize = es };
        if (p.GetValue(Distribution) is string dist) o = o with { Simulation = o.Simulation with { Distribution = dist } };
        if (p.GetValue(Cluster) is string c) o = o with { Cluster = c };
        if (p.GetValue(CheckpointEvery) is long ck) o = o with { CheckpointEvery = ck };
        o = ApplyMaxMemory(p, o);
        o = Simulator.Apply(p, o);
        ResolvedOptions.ValidateGeneric(o);
        // Options that only one backend reads are refused elsewhere instead of being silently ignored.
        bool simulated = string.Equals(o.Backend, "simulated", StringComparison.OrdinalIgnoreCase);
        var simulatorOnly = new Option[] { Distribution, Simulator.ComputeTime, Simulator.CommDelay, Simulator.SyncCost, Simulator.Straggler }
            .Where(x => p.GetResult(x) is { Implicit: false }).Select(x => x.Name).ToList();
        if (!simulated && simulatorOnly.Count > 0)
            throw new ArgumentException($"{string.Join(", ", simulatorOnly)}: simulator option(s), but the backend is {o.Backend}; add --backend simulated");
        bool cluster = string.Equals(o.Backend, "cluster", StringComparison.OrdinalIgnoreCase);
        if (cluster && o.Cluster is null)
            throw new ArgumentException("--backend cluster needs --cluster HOST:PORT (the gateway of a silo started with 'polyak cluster silo')");
        if (!cluster && p.GetResult(Cluster) is { Implicit: false })
            throw new ArgumentException($"--cluster is read by --backend cluster only, but the backend is {o.Backend}; add --backend cluster");
        if (file is not null && !simulated && file.SimulatorKeys.Count > 0)
            throw new ArgumentException($"{file.Path}: {string.Join(", ", file.SimulatorKeys.Select(k => $"'{k}'"))}: simulator setting(s), but the backend is {o.Backend}; add --backend simulated or remove them");
        if (file is { ClusterKey: string clusterKey } && !cluster)
            throw new ArgumentException($"{file.Path}: '{clusterKey}' is read by --backend cluster only, but the backend is {o.Backend}");
        ModelCatalog.CheckName(o.Model);
        return o;
    }

    /// <summary>
    /// The options <c>--resume</c> honours: the stop conditions and the checkpoint period (<see cref="AdjustResumed"/>),
    /// <c>--json</c>, and <c>--resume</c> itself. Everything else comes from the checkpoint.
    /// </summary>
    public IReadOnlyList<Option> ResumableOptions => [Resume, Updates, Epochs, Time, TargetLoss, TargetAccuracy, CheckpointEvery, MaxMemory, JsonOutput, AllowChangedData];

    /// <summary>
    /// For <c>--resume</c>: refuses every option given on the command line that a resume cannot honour (they would be
    /// silently ignored), naming them in the order given.
    /// </summary>
    public void RejectUnresumable(ParseResult p, params Option[] alsoAllowed)
    {
        var allowed = ResumableOptions.Concat(alsoAllowed).ToHashSet();
        var refused = p.CommandResult.Children.OfType<OptionResult>()
            .Where(r => !r.Implicit && !allowed.Contains(r.Option))
            .Select(r => r.Option.Name).Distinct().ToList();
        if (refused.Count > 0)
            throw new ArgumentException($"--resume continues the recorded configuration; these options cannot change it: {string.Join(", ", refused)} "
                + $"(give only stop conditions: --updates, --epochs, --time, --target-loss, --target-accuracy; and --checkpoint-every, --max-memory, --json{string.Concat(alsoAllowed.Select(o => ", " + o.Name))})");
    }

    /// <summary>For <c>--resume</c>: applies the stop conditions given on the command line to a checkpoint's options.</summary>
    public TrainingOptions AdjustResumed(ParseResult p, TrainingOptions o)
    {
        if (p.GetValue(Updates) is long u) o = o with { Updates = u };
        if (p.GetValue(Epochs) is double e) o = o with { Epochs = e };
        if (p.GetValue(Time) is double t) o = o with { TimeSeconds = t };
        if (p.GetValue(TargetLoss) is double x) o = o with { TargetLoss = x };
        if (p.GetValue(TargetAccuracy) is double ta) o = o with { TargetAccuracy = ta };
        if (p.GetValue(CheckpointEvery) is long ck) o = o with { CheckpointEvery = ck };
        o = ApplyMaxMemory(p, o);
        ResolvedOptions.ValidateGeneric(o);
        return o;
    }

    /// <summary>Applies <c>--max-memory SIZE</c> (bytes, or a number with K, M, G or T).</summary>
    private TrainingOptions ApplyMaxMemory(ParseResult p, TrainingOptions o)
    {
        if (p.GetValue(MaxMemory) is not string size) return o;
        try { return o with { MaxMemoryBytes = MemoryEstimate.ParseSize(size) }; }
        catch (FormatException ex) { throw new ArgumentException($"--max-memory: {ex.Message}"); }
    }

    /// <summary>Applies <c>--momentum-gain</c>, <c>--momentum-bounds</c>, <c>--momentum-period</c> (only with <c>--momentum auto</c>).</summary>
    private TrainingOptions ApplyAutoMomentumSettings(ParseResult p, TrainingOptions o)
        => ApplyAutoMomentumSettings(o, p.GetValue(MomentumGain), p.GetValue(MomentumBounds), p.GetValue(MomentumPeriod), p.GetValue(MomentumSignal));

    /// <summary>Applies the auto-momentum gain, bounds (<c>MIN,MAX</c>) and period that are given (they need <c>--momentum auto</c>).</summary>
    public static TrainingOptions ApplyAutoMomentumSettings(TrainingOptions o, double? gain, string? bounds, int? period, string? signal = null)
    {
        if (gain is null && bounds is null && period is null && signal is null) return o;
        if (o.AutoMomentum is not { } a)
            throw new ArgumentException("--momentum-gain, --momentum-bounds, --momentum-period and --momentum-signal need --momentum auto[:TARGET]");
        if (signal is not null)
            a = a with
            {
                Signal = signal.Trim().ToLowerInvariant() switch
                {
                    "staleness" => Polyak.Optimization.MomentumSignal.Staleness,
                    "trajectory" => Polyak.Optimization.MomentumSignal.Trajectory,
                    _ => throw new ArgumentException($"--momentum-signal must be staleness or trajectory, got '{signal}'"),
                },
            };
        if (gain is double gm) a = a with { Gain = gm };
        if (period is int k) a = a with { Period = k };
        if (bounds is not null)
        {
            var parts = bounds.Split(',');
            if (parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double lo)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double hi))
                throw new ArgumentException($"--momentum-bounds must be MIN,MAX (two numbers), got '{bounds}'");
            a = a with { Min = lo, Max = hi };
        }
        return o with { AutoMomentum = a };
    }

    /// <summary>Parses <c>--momentum MU|auto[:TARGET]</c>.</summary>
    public static TrainingOptions ApplyMomentum(TrainingOptions o, string spec)
    {
        string s = spec.Trim().ToLowerInvariant();
        if (s == "auto" || s.StartsWith("auto:", StringComparison.Ordinal))
        {
            double? target = null;
            if (s.Length > 5)
            {
                if (!double.TryParse(s[5..], NumberStyles.Float, CultureInfo.InvariantCulture, out double tg))
                    throw new ArgumentException($"--momentum auto:TARGET needs a number, got '{spec}'");
                target = tg;
            }
            return o with { AutoMomentum = (o.AutoMomentum ?? new AutoMomentumOptions()) with { Target = target } };
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double mu))
            throw new ArgumentException($"--momentum must be a number in (-1, 1) or auto[:TARGET], got '{spec}'");
        Polyak.Optimization.Momentum.Validate(mu, "--momentum");
        return o with { Momentum = mu, AutoMomentum = null };
    }

    /// <summary>Reads a run file (<see cref="RunFile.Load"/>): bare options or a run record, every key checked.</summary>
    public static TrainingOptions LoadRunFile(string path) => RunFile.Load(path);
}
