using System.Globalization;
using Polyak.Cluster.Contracts;

namespace Polyak.Cluster.Hosting;

/// <summary>
/// What a silo accepts, checked by the coordinator when a job is submitted (so a client of any version, or a hand-made
/// call, cannot bypass it): at most <see cref="MaxWorkers"/> workers (a worker grain each; 4,096 left 1.8 GB and 1.5 GB
/// in two silos and diverged with a mean staleness of 332), and a server small enough that its whole-state snapshot
/// (w and v, one message) stays under Orleans' default message limit of 100 MB (a 16 M-parameter job's final snapshot
/// did not, and its 31 applied updates were recorded as 0). Snapshots in chunks would lift the second limit: not built.
/// </summary>
public static class JobAdmission
{
    /// <summary>Most workers a job may have.</summary>
    public const int MaxWorkers = 1024;

    /// <summary>Largest snapshot (w and v as float32) a job's server may need: 96 MiB, under the 100 MB message limit with room for the rest of the message.</summary>
    public const long MaxSnapshotBytes = 96L * 1024 * 1024;

    /// <summary>Most parameters a job may have (<see cref="MaxSnapshotBytes"/> / 8 bytes per parameter).</summary>
    public const long MaxParameters = MaxSnapshotBytes / (2 * sizeof(float));

    /// <summary>Throws <see cref="ArgumentException"/> naming the job, the limit and the value when the silo does not accept <paramref name="job"/>.</summary>
    public static void Check(JobSpec job)
    {
        var c = CultureInfo.InvariantCulture;
        if (job.Workers < 1 || job.Groups < 1 || job.Workers % job.Groups != 0)
            throw new ArgumentException($"job {job.JobId}: {job.Groups} group(s) do not divide {job.Workers} worker(s)");
        if (job.Workers > MaxWorkers)
            throw new ArgumentException(string.Create(c, $"job {job.JobId}: {job.Workers:N0} workers; a silo accepts at most {MaxWorkers:N0} per job (each is a grain with its own model workspace)"));
        if (job.Dimension < 1 || job.Dimension > MaxParameters)
            throw new ArgumentException(string.Create(c, $"job {job.JobId}: {job.Dimension:N0} parameters; the cluster accepts at most {MaxParameters:N0} ({MaxSnapshotBytes / (1024 * 1024)} MiB for w and v in one snapshot message, under Orleans' 100 MB limit; chunked snapshots are not built), so train it on threads or the simulator"));
        if (!(job.LeaderTimeoutSeconds >= 1))
            throw new ArgumentException(string.Create(c, $"job {job.JobId}: leader timeout {job.LeaderTimeoutSeconds:G4} s; it must be at least 1 s"));
        if (!(job.ClientGraceSeconds >= 0))
            throw new ArgumentException(string.Create(c, $"job {job.JobId}: client grace {job.ClientGraceSeconds:G4} s; it must be 0 (never stop for a missing client) or more"));
        if (job.Shards < 1 || job.Shards > job.Dimension)
            throw new ArgumentException($"job {job.JobId}: shard count {job.Shards} must be in [1, {job.Dimension}]");
    }
}
