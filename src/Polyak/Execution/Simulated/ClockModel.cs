using System.Globalization;
using Polyak.Numerics;

namespace Polyak.Execution;

/// <summary>
/// The simulator's hardware model, validated and expanded for one run of N workers in g groups of k = N / g with
/// batch B. Member j of a group computes its slice of <c>b_j</c> (about B / k) samples in
/// <c>slowdown_w * (b_j / B) * X</c> simulated seconds, X drawn from the gradient-time law with mean
/// <see cref="MeanComputeTime"/> (the time of a full B-sample gradient on one worker); the group's update is applied
/// when its slowest member finishes plus the synchronisation cost <c>SyncBase + SyncPerWorker (k - 1)</c> (only when
/// k > 1) plus one communication delay (push and pull of the parameters). The group then reads the new parameters at
/// once and starts its next cycle.
/// </summary>
public sealed class ClockModel
{
    /// <summary>Builds the model; throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public ClockModel(SimulationOptions options, int workers, int groups, int batch)
    {
        Validate(options, workers);
        if (groups < 1 || workers % groups != 0) throw new ArgumentException($"--groups {groups} does not divide --workers {workers}");
        if (batch < workers / groups) throw new ArgumentException($"--batch {batch} is smaller than the group size {workers / groups}");
        Options = options;
        Distribution = ComputeTimeDistribution.Parse(options.Distribution);
        Workers = workers;
        Groups = groups;
        GroupSize = workers / groups;
        Slowdown = new double[workers];
        Array.Fill(Slowdown, 1.0);
        if (options.Slowdown is { } s)
            foreach (var (index, factor) in s) Slowdown[index] = factor;
        Share = new double[GroupSize];
        for (int j = 0; j < GroupSize; j++) Share[j] = (double)BatchSplit.Slice(batch, GroupSize, j).Length / batch;
        SyncCost = GroupSize > 1 ? options.SyncBase + options.SyncPerWorker * (GroupSize - 1) : 0.0;
    }

    /// <summary>The options the model was built from.</summary>
    public SimulationOptions Options { get; }

    /// <summary>Gradient-time law.</summary>
    public ComputeTimeDistribution Distribution { get; }

    /// <summary>Number of workers N.</summary>
    public int Workers { get; }

    /// <summary>Number of asynchronous groups g.</summary>
    public int Groups { get; }

    /// <summary>Members per group k.</summary>
    public int GroupSize { get; }

    /// <summary>Mean simulated seconds of one full-batch gradient on one worker.</summary>
    public double MeanComputeTime => Options.MeanComputeTime;

    /// <summary>Slowdown factor per worker (1 = nominal speed).</summary>
    public double[] Slowdown { get; }

    /// <summary>Share b_j / B of the batch computed by member j.</summary>
    public double[] Share { get; }

    /// <summary>Synchronisation cost of one group update (0 when k = 1).</summary>
    public double SyncCost { get; }

    /// <summary>True when the staleness law is exactly geometric: exponential times, k = 1, no delays, no stragglers.</summary>
    public bool IsQueueingModel =>
        Distribution.Kind == DistributionKind.Exponential && GroupSize == 1 && Options.CommunicationDelay == 0 && SyncCost == 0;

    /// <summary>
    /// Draws the duration of one cycle of <paramref name="group"/> (compute of every member, sync, communication),
    /// one draw per member from that worker's own stream, so it does not depend on the order of events.
    /// </summary>
    public double CycleTime(int group, RandomStream[] workerStreams)
    {
        double slowest = 0;
        for (int j = 0; j < GroupSize; j++)
        {
            int w = group * GroupSize + j;
            double t = Slowdown[w] * Share[j] * Distribution.Sample(workerStreams[w], MeanComputeTime);
            if (t > slowest) slowest = t;
        }
        return slowest + SyncCost + Options.CommunicationDelay;
    }

    /// <summary>The model as recorded in the run record.</summary>
    public ClockModelRecord Describe() => new(
        Distribution.Spec, MeanComputeTime, Options.CommunicationDelay, Options.SyncBase, Options.SyncPerWorker, SyncCost, GroupSize,
        Options.Slowdown is { Count: > 0 } s
            ? s.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value)
            : []);

    /// <summary>Checks simulator settings for <paramref name="workers"/> workers; throws naming the bad option.</summary>
    public static void Validate(SimulationOptions o, int workers)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (workers < 1) throw new ArgumentException($"--workers must be >= 1, got {workers}");
        ComputeTimeDistribution.Parse(o.Distribution);
        if (!(o.MeanComputeTime > 0) || !double.IsFinite(o.MeanComputeTime))
            throw new ArgumentException($"--compute-time must be a positive finite number of simulated seconds, got {Str(o.MeanComputeTime)}");
        if (!(o.CommunicationDelay >= 0) || !double.IsFinite(o.CommunicationDelay))
            throw new ArgumentException($"--comm-delay must be a finite number >= 0 simulated seconds, got {Str(o.CommunicationDelay)}");
        if (!(o.SyncBase >= 0) || !double.IsFinite(o.SyncBase))
            throw new ArgumentException($"--sync-cost BASE must be a finite number >= 0 simulated seconds, got {Str(o.SyncBase)}");
        if (!(o.SyncPerWorker >= 0) || !double.IsFinite(o.SyncPerWorker))
            throw new ArgumentException($"--sync-cost PER_WORKER must be a finite number >= 0 simulated seconds, got {Str(o.SyncPerWorker)}");
        if (o.Slowdown is { } s)
        {
            foreach (var (index, factor) in s)
            {
                if (index < 0 || index >= workers)
                    throw new ArgumentException($"--straggler {index}:{Str(factor)}: worker index must be in [0, {workers - 1}]");
                if (!(factor > 0) || !double.IsFinite(factor))
                    throw new ArgumentException($"--straggler {index}:{Str(factor)}: slowdown factor must be a positive finite number");
            }
        }
    }

    private static string Str(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
}
