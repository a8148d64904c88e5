using System.Globalization;
using Polyak.Data;
using Polyak.Models;

namespace Polyak.Execution;

/// <summary>
/// The memory a planned run will allocate, estimated before any of it is (bytes, by part): the parameter server (w and
/// v, and the initial vector), every group's read buffer and combined gradient, every member's gradient and model
/// workspace for its slice of the batch (<see cref="IModel.EstimateWorkspaceBytes"/>), the evaluators, the copies a
/// checkpoint makes, and the data already loaded. <see cref="Check"/> refuses a run whose estimate exceeds the memory
/// the process may use (<see cref="AvailableBytes"/>, or the limit given with <c>--max-memory</c>), naming the estimate,
/// its largest part and the limit, before the first large allocation.
/// </summary>
public sealed record MemoryEstimate
{
    /// <summary>Server parameters and momentum, the initial vector, the final state: 4 x d floats.</summary>
    public required long ServerBytes { get; init; }

    /// <summary>Every group's read buffer and (for groups of more than one member) combined gradient.</summary>
    public required long GroupBytes { get; init; }

    /// <summary>Every member's gradient buffer and model workspace.</summary>
    public required long WorkerBytes { get; init; }

    /// <summary>Evaluators (parameter buffer and an inference workspace each) and the final test evaluation.</summary>
    public required long EvaluationBytes { get; init; }

    /// <summary>What writing one checkpoint copies and serialises (the server state, the simulator's in-flight reads).</summary>
    public required long CheckpointBytes { get; init; }

    /// <summary>The training and test data (features, labels or targets).</summary>
    public required long DataBytes { get; init; }

    /// <summary>Workers the estimate counts (named in the refusal).</summary>
    public int Workers { get; init; }

    /// <summary>The sum of the parts (saturating: a configuration too big to count is <see cref="long.MaxValue"/>).</summary>
    public long TotalBytes => Add(Add(Add(ServerBytes, GroupBytes), Add(WorkerBytes, EvaluationBytes)), Add(CheckpointBytes, DataBytes));

    /// <summary>The memory this process may use: the GC's view of the machine or container limit.</summary>
    public static long AvailableBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Estimates the memory of <paramref name="plan"/> (throws <see cref="ArgumentException"/> when a buffer could not exist).</summary>
    public static MemoryEstimate For(RunPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        long d = plan.Model.ParameterCount;
        long floats = 4 * d;
        int k = plan.GroupSize, groups = plan.Groups;
        long slice = BatchSplit.MaxSlice(plan.Batch, k);
        long workspace = plan.Model.EstimateWorkspaceBytes((int)slice);
        int evalBatch = Math.Min(Evaluator.MaxBatch, Math.Max(1, plan.Data.EvalRows.Length));
        long evalWorkspace = plan.Model.EstimateWorkspaceBytes(evalBatch);
        // An accuracy target gives every evaluator a second workspace, for the held-out split.
        if (plan.TargetAccuracy is not null)
            evalWorkspace = Add(evalWorkspace, plan.Model.EstimateWorkspaceBytes(Math.Min(Evaluator.MaxBatch, Math.Max(1, plan.Data.HeldOut.Count))));
        // Threads give each group an evaluator, the simulator's event loop and a cluster client one; the session one more.
        long evaluators = (plan.Backend is ThreadsBackend ? groups : 1) + 1;
        bool simulated = plan.Backend is SimulatedBackend;
        // A checkpoint copies w and v (and, on the simulator, every group's in-flight read) and serialises them.
        long checkpointFloats = 2 * d + (simulated ? groups * d : 0);
        return new MemoryEstimate
        {
            // w, v, the initial vector and the final state; delay compensation keeps one more buffer.
            ServerBytes = Mul(plan.StalenessPolicy.NeedsMeanSquare ? 6 : plan.StalenessPolicy.NeedsReadParameters ? 5 : 4, floats),
            GroupBytes = Mul(groups, k > 1 ? 2 * floats : floats) + Mul(groups, 4L * plan.Batch),
            WorkerBytes = Mul(plan.Workers, Add(floats, workspace)),
            EvaluationBytes = Add(Mul(evaluators, Add(floats, evalWorkspace)), plan.Model.EstimateWorkspaceBytes(Evaluator.MaxBatch)),
            CheckpointBytes = Mul(3, Mul(4, checkpointFloats)),
            DataBytes = Add(Add(Bytes(plan.Data.Train), Bytes(plan.Data.Test)), plan.Data.Validation is { } v ? Bytes(v) : 0),
            Workers = plan.Workers,
        };
    }

    /// <summary>
    /// Refuses <paramref name="plan"/> (<see cref="ArgumentException"/>, exit 2 on the command line) when its estimate
    /// exceeds <paramref name="limitBytes"/> (null: <see cref="AvailableBytes"/>). Returns the estimate.
    /// </summary>
    public static MemoryEstimate Check(RunPlan plan, long? limitBytes = null)
    {
        var estimate = For(plan);
        long limit = limitBytes ?? AvailableBytes();
        if (estimate.TotalBytes > limit)
        {
            string source = limitBytes is null ? "the memory available to this process" : "the limit set by --max-memory";
            throw new ArgumentException(
                $"the run needs about {Format(estimate.TotalBytes)} ({estimate.Describe()}), more than {source} ({Format(limit)}); " +
                "use fewer --workers, a smaller --batch or model, or raise the limit with --max-memory SIZE");
        }
        return estimate;
    }

    /// <summary>The parts, largest first, e.g. <c>workers 35.2 GB for 4,096 workers, parameters 80 MB</c>.</summary>
    public string Describe()
    {
        var parts = new (string Name, long Bytes)[]
        {
            ("parameter server", ServerBytes), ("group buffers", GroupBytes), ($"{Workers:N0} workers' gradients and workspaces", WorkerBytes),
            ("evaluation", EvaluationBytes), ("checkpoint copies", CheckpointBytes), ("data", DataBytes),
        };
        return string.Join(", ", parts.Where(p => p.Bytes > 0).OrderByDescending(p => p.Bytes).Select(p => $"{p.Name} {Format(p.Bytes)}"));
    }

    /// <summary>Bytes in binary units: <c>512 B</c>, <c>3.2 MB</c>, <c>23.4 GB</c> (1 GB = 2^30 bytes).</summary>
    public static string Format(long bytes)
    {
        if (bytes == long.MaxValue) return "more than 8 EB";
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }

    /// <summary>
    /// Parses a size: a whole number of bytes, or a number with a unit <c>K</c>, <c>M</c>, <c>G</c>, <c>T</c> (binary,
    /// an optional <c>B</c> or <c>iB</c>), e.g. <c>512M</c>, <c>16G</c>, <c>1.5GiB</c>. Throws <see cref="FormatException"/>.
    /// </summary>
    public static long ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        int end = s.Length;
        while (end > 0 && char.IsLetter(s[end - 1])) end--;
        string number = s[..end].Trim(), unit = s[end..].ToUpperInvariant();
        long scale = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => throw new FormatException($"'{text}' is not a size: the unit must be K, M, G or T (e.g. 512M, 16G)"),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || !(value > 0))
            throw new FormatException($"'{text}' is not a size: give a positive number of bytes or a number with a unit (e.g. 512M, 16G)");
        double bytes = value * scale;
        if (bytes >= long.MaxValue) throw new FormatException($"'{text}' is larger than any memory");
        return Math.Max(1, (long)bytes);
    }

    private static long Bytes(Dataset data) =>
        Add(Mul(4, data.Features.LongLength), Add(Mul(4, data.Labels?.LongLength ?? 0), Mul(4, data.Targets?.LongLength ?? 0)));

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static long Mul(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;
}
