using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Cluster.Placement;

namespace Polyak.Cluster.Grains;

/// <summary>The registry of submitted jobs (see <see cref="IJobRegistryGrain"/>).</summary>
[ControlPlacement]
public sealed class JobRegistryGrain(GrainStateStore store) : Grain, IJobRegistryGrain
{
    /// <summary>How long the registry waits for another job's coordinator before it counts that job as gone.</summary>
    public static readonly TimeSpan CoordinatorTimeout = TimeSpan.FromSeconds(5);

    private List<JobEntry> Jobs => store.GetOrAdd("registry", () => new List<JobEntry>());

    /// <inheritdoc/>
    public async Task Register(string jobId, string? checkpointDir)
    {
        var jobs = Jobs;
        JobEntry[] sameFolder;
        lock (jobs)
            sameFolder = checkpointDir is null ? [] : jobs.Where(j => j.Outcome is null && j.JobId != jobId && SameFolder(j.CheckpointDir, checkpointDir)).ToArray();
        foreach (var other in sameFolder)
        {
            JobStatus status;
            try
            {
                status = await GrainFactory.GetGrain<IJobCoordinatorGrain>(other.JobId).Status(int.MaxValue).WaitAsync(CoordinatorTimeout);
            }
            catch (Exception)
            {
                continue; // its coordinator does not answer: it cannot be writing in step with anything
            }
            if (status.JobId.Length == 0 || status.Finished) continue;
            throw new ArgumentException($"--out: the checkpoint folder {checkpointDir} is being written by running job {other.JobId} (submitted {other.SubmittedUtc:u}, at update {status.Server.Version}); wait for it to end, stop it with 'polyak cluster stop {other.JobId}', or choose another --out");
        }
        lock (jobs)
        {
            jobs.RemoveAll(j => j.JobId == jobId);
            jobs.Add(new JobEntry { JobId = jobId, CheckpointDir = checkpointDir, SubmittedUtc = DateTime.UtcNow });
        }
    }

    /// <inheritdoc/>
    public Task Finished(string jobId, string outcome, long updates)
    {
        var jobs = Jobs;
        lock (jobs)
        {
            int i = jobs.FindIndex(j => j.JobId == jobId);
            var entry = i >= 0 ? jobs[i] : new JobEntry { JobId = jobId };
            var done = new JobEntry
            {
                JobId = jobId, CheckpointDir = entry.CheckpointDir, SubmittedUtc = entry.SubmittedUtc,
                Outcome = entry.Outcome ?? outcome, Updates = Math.Max(entry.Updates, updates), FinishedUtc = entry.FinishedUtc ?? DateTime.UtcNow,
            };
            if (i >= 0) jobs[i] = done;
            else jobs.Add(done);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    Task<string[]> IJobRegistryGrain.Jobs()
    {
        var jobs = Jobs;
        lock (jobs) return Task.FromResult(jobs.Select(j => j.JobId).ToArray());
    }

    /// <inheritdoc/>
    public Task<JobEntry[]> Entries()
    {
        var jobs = Jobs;
        lock (jobs) return Task.FromResult(jobs.ToArray());
    }

    private static bool SameFolder(string? a, string b) =>
        a is not null && string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);
}
