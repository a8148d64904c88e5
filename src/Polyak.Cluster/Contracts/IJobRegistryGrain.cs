namespace Polyak.Cluster.Contracts;

/// <summary>
/// Remembers the jobs submitted to the cluster, running and finished (for <c>polyak cluster status</c>), and keeps one
/// job per checkpoint folder: a job is refused while another job that writes the same folder still runs. Key: 0.
/// </summary>
public interface IJobRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Records a job; throws <see cref="ArgumentException"/> when a running job writes <paramref name="checkpointDir"/>
    /// (its coordinator is asked: a job whose coordinator lost its state or finished does not count).
    /// </summary>
    Task Register(string jobId, string? checkpointDir);

    /// <summary>Records how a job ended.</summary>
    Task Finished(string jobId, string outcome, long updates);

    /// <summary>Known job ids, oldest first.</summary>
    Task<string[]> Jobs();

    /// <summary>Every job recorded, oldest first.</summary>
    Task<JobEntry[]> Entries();
}
