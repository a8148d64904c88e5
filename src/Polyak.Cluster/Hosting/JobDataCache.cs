using System.Collections.Concurrent;
using System.Text.Json;
using Polyak.Cluster.Contracts;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;

namespace Polyak.Cluster.Hosting;

/// <summary>
/// Loads each job's data and model once per silo (every silo loads the same data from the job's spec: synthetic data
/// is generated from the seed, files must exist at the same path on every machine) and checks the model size.
/// </summary>
public sealed class JobDataCache
{
    private readonly ConcurrentDictionary<string, Lazy<JobData>> _jobs = new();

    /// <summary>The job's data and model, loaded on first use; throws when the model size differs from the job's.</summary>
    public JobData Get(JobSpec job) => _jobs.GetOrAdd(job.JobId, _ => new Lazy<JobData>(() => Load(job))).Value;

    /// <summary>
    /// Forgets a job, and soon after returns the memory its data held to the operating system (one compacting,
    /// decommitting collection a few seconds later, however many of the job's grains release it).
    /// </summary>
    public void Remove(string jobId)
    {
        if (!_jobs.TryRemove(jobId, out _)) return;
        if (Interlocked.Exchange(ref _reclaimPending, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            await Task.Delay(ReclaimDelay);
            Volatile.Write(ref _reclaimPending, 0);
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        });
    }

    /// <summary>How long after a job's release its memory is reclaimed (its other grains release meanwhile).</summary>
    public static readonly TimeSpan ReclaimDelay = TimeSpan.FromSeconds(3);

    private int _reclaimPending;

    /// <summary>Loads a job's data and model (no caching).</summary>
    public static JobData Load(JobSpec job)
    {
        var options = JsonSerializer.Deserialize<TrainingOptions>(job.OptionsJson, Json.Indented)
            ?? throw new ArgumentException($"job {job.JobId}: empty options");
        var data = RunPlanner.LoadData(options);
        var model = ModelCatalog.Create(options.Model, data.Train);
        if (model.ParameterCount != job.Dimension)
            throw new InvalidOperationException($"job {job.JobId}: model '{model.Name}' on this silo has {model.ParameterCount} parameters, the job has {job.Dimension} (different data on this machine?)");
        var resolved = ResolvedOptions.Resolve(options, ModelDefaults.LearningRate(model, data.Train));
        return new JobData(options, resolved, data, model);
    }
}
