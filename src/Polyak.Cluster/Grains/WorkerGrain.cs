using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Cluster.Placement;
using Polyak.Execution;

namespace Polyak.Cluster.Grains;

/// <summary>
/// A worker (see <see cref="IWorkerGrain"/>). The leader's loop runs as a background task of the activation (it
/// never calls its own grain, which would deadlock); members compute their slice inside a grain turn. Buffers live for the
/// worker's lifetime: a step allocates only its message payloads.
/// </summary>
[WorkerPlacement]
public sealed class WorkerGrain(JobDataCache cache, ILocalSiloDetails silo, ILogger<WorkerGrain> log) : Grain, IWorkerGrain
{
    private WorkerAssignment? _assignment;
    private CancellationTokenSource? _loop;
    private int _runningGeneration = -1;
    private GroupMember? _member;
    private float[] _w = [];

    private string SiloName => $"{silo.Name} ({silo.SiloAddress})";

    /// <inheritdoc/>
    public Task Start(WorkerAssignment assignment)
    {
        _assignment = assignment;
        this.DelayDeactivation(TimeSpan.FromDays(1));
        if (assignment.Member == 0 && _runningGeneration != assignment.Generation)
        {
            _loop?.Cancel();
            _loop = new CancellationTokenSource();
            _runningGeneration = assignment.Generation;
            var factory = GrainFactory;
            var token = _loop.Token;
            // The loop runs on the activation's scheduler (grain-to-grain calls, so Orleans routes them like any grain
            // call); it yields at every await, so Silo/Release/Start still get through.
            _ = new GroupLeader(assignment, cache, factory, SiloName, silo.SiloAddress, log).Run(token);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<SliceResult> ComputeSlice(byte[] w, int[] rows)
    {
        var a = _assignment ?? throw new InvalidOperationException($"worker {this.GetPrimaryKeyString()} on {SiloName} has no assignment");
        var job = cache.Get(a.Job);
        int d = a.Job.Dimension;
        if (_w.Length != d) _w = new float[d];
        int worker = a.Group * a.Job.GroupSize + a.Member;
        int maxSlice = Math.Max(rows.Length, BatchSplit.MaxSlice(job.Resolved.Batch, a.Job.GroupSize));
        // The same member, seeded the same way, as on the local backends (and as the leader uses when it stands in).
        if (_member is null || _member.Worker != worker || _member.MaxSlice < rows.Length) _member = new GroupMember(job.Model, worker, maxSlice, job.Options.Seed);
        FloatBytes.CopyTo(w, _w);
        _member.Compute(_w, job.Data.Train, rows);
        return Task.FromResult(new SliceResult { Gradient = FloatBytes.ToBytes(_member.Gradient), Loss = _member.Loss });
    }

    /// <inheritdoc/>
    public Task<string> Silo() => Task.FromResult(SiloName);

    /// <inheritdoc/>
    public Task Release()
    {
        _loop?.Cancel();
        if (_assignment is { } a) cache.Remove(a.Job.JobId); // the job has ended: this silo's copy of its data goes
        _member = null;
        _w = [];
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _loop?.Cancel();
        return Task.CompletedTask;
    }
}
