namespace Polyak.Cluster.Contracts;

/// <summary>Remembers the jobs submitted to the cluster (for <c>polyak cluster status</c>). Key: 0.</summary>
public interface IJobRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Records a job id.</summary>
    Task Register(string jobId);

    /// <summary>Known job ids, oldest first.</summary>
    Task<string[]> Jobs();
}
