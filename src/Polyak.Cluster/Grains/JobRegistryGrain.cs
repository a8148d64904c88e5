using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Cluster.Placement;

namespace Polyak.Cluster.Grains;

/// <summary>The registry of submitted jobs (see <see cref="IJobRegistryGrain"/>).</summary>
[ControlPlacement]
public sealed class JobRegistryGrain(GrainStateStore store) : Grain, IJobRegistryGrain
{
    private List<string> Jobs => store.GetOrAdd("registry", () => new List<string>());

    /// <inheritdoc/>
    public Task Register(string jobId)
    {
        var jobs = Jobs;
        lock (jobs)
        {
            if (!jobs.Contains(jobId)) jobs.Add(jobId);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    Task<string[]> IJobRegistryGrain.Jobs()
    {
        var jobs = Jobs;
        lock (jobs) return Task.FromResult(jobs.ToArray());
    }
}
