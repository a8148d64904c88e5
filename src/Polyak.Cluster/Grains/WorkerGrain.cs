using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Cluster.Placement;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Numerics;

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
    private ModelWorkspace? _workspace;
    private float[] _w = [];
    private float[] _gradient = [];

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
        if (_w.Length != d)
        {
            _w = new float[d];
            _gradient = new float[d];
        }
        int worker = a.Group * a.Job.GroupSize + a.Member;
        if (_workspace is null || _workspace.MaxBatch < rows.Length)
            _workspace = job.Model.CreateWorkspace(Math.Max(rows.Length, BatchSplit.MaxSlice(job.Resolved.Batch, a.Job.GroupSize)),
                RandomStream.DeriveSeed(job.Options.Seed, 0x3011, (ulong)worker));
        FloatBytes.CopyTo(w, _w);
        float loss = job.Model.LossAndGradient(_w, job.Data.Train, rows, _gradient, _workspace);
        return Task.FromResult(new SliceResult { Gradient = FloatBytes.ToBytes(_gradient), Loss = loss });
    }

    /// <inheritdoc/>
    public Task<string> Silo() => Task.FromResult(SiloName);

    /// <inheritdoc/>
    public Task Release()
    {
        _loop?.Cancel();
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

/// <summary>The loop of a compute group's leader: read, draw the batch, barrier with the members, combine, stage, commit.</summary>
internal sealed class GroupLeader(WorkerAssignment assignment, JobDataCache cache, IGrainFactory grains, string silo, SiloAddress address, ILogger log)
{
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromMilliseconds(500);

    public async Task Run(CancellationToken token)
    {
        var job = assignment.Job;
        int g = assignment.Group;
        var coordinator = grains.GetGrain<IJobCoordinatorGrain>(job.JobId);
        try
        {
            await RunLoop(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // replaced by a newer generation while a call was in flight
        }
        catch (Exception ex)
        {
            log.LogError(ex, "group {Group} leader failed", g);
            try { await coordinator.ReportEvent($"group {g}: leader on {silo} failed: {ex.GetType().Name}: {ex.Message}"); } catch (Exception) { }
        }
        finally
        {
            try { await coordinator.LeaderStopped(g, assignment.Generation); } catch (Exception) { }
        }
    }

    private async Task RunLoop(CancellationToken token)
    {
        var job = assignment.Job;
        int g = assignment.Group, size = job.GroupSize, d = job.Dimension;
        var data = await Task.Run(() => cache.Get(job), token);
        var model = data.Model;
        int batch = data.Resolved.Batch;
        var coordinator = grains.GetGrain<IJobCoordinatorGrain>(job.JobId);
        var sequencer = grains.GetGrain<IUpdateSequencerGrain>(job.JobId);
        var shards = new IShardGrain[job.Shards];
        var slices = new (int Offset, int Length)[job.Shards];
        for (int k = 0; k < shards.Length; k++)
        {
            shards[k] = grains.GetGrain<IShardGrain>($"{job.JobId}/{k}");
            slices[k] = ShardLayout.Slice(d, job.Shards, k);
        }
        var members = new IWorkerGrain[size];
        var alive = new bool[size];
        for (int m = 0; m < size; m++)
        {
            members[m] = grains.GetGrain<IWorkerGrain>($"{job.JobId}/{g * size + m}");
            alive[m] = true;
        }
        var w = new float[d];
        var sum = new float[d];
        var grads = new float[size][];
        var losses = new float[size];
        for (int m = 0; m < size; m++) grads[m] = new float[d];
        var rows = new int[batch];
        var workspace = model.CreateWorkspace(BatchSplit.MaxSlice(batch, size), RandomStream.DeriveSeed(data.Options.Seed, 0x3011, (ulong)(g * size)));
        var evalWorkspace = model.CreateWorkspace(Math.Min(256, Math.Max(1, data.Data.EvalRows.Length)), 0);
        var sampler = new BatchSampler(data.Data.Train.Count, data.Options.Seed, g + 4096 * assignment.Generation);
        var deadline = TimeSpan.FromSeconds(job.BarrierDeadlineSeconds);
        long steps = 0;
        int failures = 0;
        DateTime lastBeat = DateTime.MinValue;
        var random = new Random(HashCode.Combine(job.JobId, g, assignment.Generation, Environment.TickCount64));

        while (!token.IsCancellationRequested)
        {
            if (DateTime.UtcNow - lastBeat > HeartbeatPeriod)
            {
                lastBeat = DateTime.UtcNow;
                bool current = await coordinator.Heartbeat(new GroupHeartbeat
                {
                    Group = g,
                    Generation = assignment.Generation,
                    Steps = steps,
                    Silo = silo,
                    Address = address,
                    MissingMembers = Enumerable.Range(0, size).Where(m => !alive[m]).Select(m => g * size + m).ToArray(),
                });
                if (!current)
                {
                    // Replaced by a newer generation (this loop may be on a silo the coordinator gave up on): stop pushing.
                    log.LogWarning("group {Group}: generation {Generation} was replaced; this leader stops", g, assignment.Generation);
                    return;
                }
            }
            try
            {
                long readVersion = await sequencer.CommittedVersion();
                var status = await ReadAll(shards, slices, readVersion, w);
                if (status == ShardStatus.Lost)
                {
                    await sequencer.EnsureShards();
                    continue;
                }
                if (status != ShardStatus.Ok) continue;

                sampler.Next(rows);
                // Group barrier: every live member computes its slice of the batch on the same read.
                byte[]? wBytes = size > 1 ? FloatBytes.ToBytes(w) : null;
                var pending = new Task<SliceResult>?[size];
                for (int m = 1; m < size; m++)
                {
                    if (!alive[m]) continue;
                    var (start, length) = BatchSplit.Slice(batch, size, m);
                    pending[m] = members[m].ComputeSlice(wBytes!, rows.AsSpan(start, length).ToArray()).WaitAsync(deadline, token);
                }
                ComputeLocal(0);
                for (int m = 1; m < size; m++)
                {
                    if (pending[m] is { } task)
                    {
                        try
                        {
                            var result = await task;
                            FloatBytes.CopyTo(result.Gradient, grads[m]);
                            losses[m] = result.Loss;
                            continue;
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                        {
                            string why = ex is TimeoutException ? $"missed the barrier deadline of {deadline.TotalSeconds:G3} s" : $"failed ({ex.GetType().Name}: {ex.Message})";
                            // Try to replace it: starting the grain again re-activates it on a live silo when its silo died.
                            try
                            {
                                await members[m].Start(new WorkerAssignment { Job = job, Group = g, Member = m, Generation = assignment.Generation }).WaitAsync(deadline, token);
                                string where = await members[m].Silo().WaitAsync(deadline, token);
                                await coordinator.ReportEvent($"group {g}: worker {g * size + m} (member {m}) {why} at update {readVersion}; the leader computed its slice for this step and replaced it (now on {where})");
                            }
                            catch (Exception) when (!token.IsCancellationRequested)
                            {
                                alive[m] = false;
                                await coordinator.ReportEvent($"group {g}: worker {g * size + m} (member {m}) {why} at update {readVersion}; the leader on {silo} computes its slice from now on");
                            }
                        }
                    }
                    ComputeLocal(m);
                }
                double loss = BatchSplit.Combine(grads, losses, batch, sum);

                long pushId = random.NextInt64();
                var staged = await Task.WhenAll(shards.Select((s, k) => s.Stage(pushId, FloatBytes.ToBytes(sum.AsSpan(slices[k].Offset, slices[k].Length)))));
                if (staged.Any(x => x != ShardStatus.Ok))
                {
                    // A shard did not store the push (a stray activation without state): committing would make the
                    // sequencer roll every shard back. Drop this gradient, let the sequencer check the shards, read again.
                    await sequencer.EnsureShards();
                    continue;
                }
                var commit = await sequencer.Commit(pushId, readVersion, (float)loss);
                failures = 0;
                if (commit.Status == CommitStatus.Stopped) return;
                if (commit.Status == CommitStatus.Rejected) continue;
                steps++;
                if (commit.Version % job.EvalEvery == 0 && commit.Version < job.UpdateLimit)
                {
                    var evalStatus = await ReadAll(shards, slices, commit.Version, w);
                    if (evalStatus == ShardStatus.Ok)
                    {
                        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                        var r = model.Evaluate(w, data.Data.Train, data.Data.EvalRows, evalWorkspace);
                        await coordinator.ReportEvaluation(new EvalReport
                        {
                            Version = commit.Version,
                            Loss = r.Loss,
                            Correct = r.Correct,
                            Count = r.Count,
                            Seconds = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds,
                        });
                    }
                }
            }
            catch (Exception ex) when (!token.IsCancellationRequested && ex is not OperationCanceledException)
            {
                if (++failures > 120) throw;
                log.LogWarning("group {Group}: step failed ({Message}); retrying", g, ex.Message);
                await Task.Delay(500, token);
            }
        }

        void ComputeLocal(int m)
        {
            var (start, length) = BatchSplit.Slice(batch, size, m);
            losses[m] = model.LossAndGradient(w, data.Data.Train, rows.AsSpan(start, length), grads[m], workspace);
        }
    }

    /// <summary>Reads every shard at <paramref name="version"/> into <paramref name="w"/>; Ok, Lost or Unavailable.</summary>
    internal static async Task<ShardStatus> ReadAll(IShardGrain[] shards, (int Offset, int Length)[] slices, long version, float[] w)
    {
        var reads = await Task.WhenAll(shards.Select(s => s.Read(version)));
        if (reads.Any(r => r.Status == ShardStatus.Lost)) return ShardStatus.Lost;
        if (reads.Any(r => r.Status != ShardStatus.Ok)) return ShardStatus.Unavailable;
        for (int k = 0; k < reads.Length; k++) FloatBytes.CopyTo(reads[k].W, w.AsSpan(slices[k].Offset, slices[k].Length));
        return ShardStatus.Ok;
    }
}
