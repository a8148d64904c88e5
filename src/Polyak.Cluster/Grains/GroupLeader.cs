using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Data;
using Polyak.Execution;

namespace Polyak.Cluster.Grains;

/// <summary>
/// The loop of a compute group's leader: wait for its turn under bounded staleness (<c>ssp:S</c>), read, draw the batch,
/// barrier with the members, combine, stage (with the parameters read, under delay compensation), commit.
/// </summary>
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
        // The one group step of every backend: its buffers, its members (seeded by worker index) and its batch stream.
        var sampler = new BatchSampler(data.Data.Train.Count, data.Options.Seed, GroupStep.StreamIndex(g, assignment.Generation));
        var step = new GroupStep(model, data.Data.Train, g, size, data.Resolved.Batch, data.Options.Seed, sampler);
        var evaluator = new Evaluator(model, data.Data);
        var evaluation = new EvaluationSchedule(job.EvalEvery, job.UpdateLimit);
        var tracked = new float[job.TrackedCoordinates.Length];
        var trackedRead = new float[tracked.Length];
        var policy = Optimization.StalenessPolicy.Parse(data.Options.StalenessPolicy ?? "none");
        const int TurnTimeoutMs = 1000;
        var deadline = TimeSpan.FromSeconds(job.BarrierDeadlineSeconds);
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
                    Steps = step.Steps,
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
                // Bounded staleness: no more than S of this group's steps ahead of the slowest group. A timed-out wait
                // goes round the loop again (heartbeat first), so a waiting leader still tells the coordinator it lives.
                if (policy.StepBound is not null && !await sequencer.WaitForTurn(g, TurnTimeoutMs)) continue;
                long readVersion = await sequencer.CommittedVersion();
                var status = await ReadAll(shards, slices, readVersion, step.Parameters);
                if (status == ShardStatus.Lost)
                {
                    await sequencer.EnsureShards();
                    continue;
                }
                if (status != ShardStatus.Ok) continue;
                step.SetRead(readVersion);
                step.Sample();

                // Group barrier: every live member computes its slice of the batch on the same read.
                byte[]? wBytes = size > 1 ? FloatBytes.ToBytes(step.Parameters) : null;
                var pending = new Task<SliceResult>?[size];
                for (int m = 1; m < size; m++)
                {
                    if (!alive[m]) continue;
                    pending[m] = members[m].ComputeSlice(wBytes!, step.MemberRows(m).ToArray()).WaitAsync(deadline, token);
                }
                step.Compute(0);
                for (int m = 1; m < size; m++)
                {
                    if (pending[m] is { } task)
                    {
                        try
                        {
                            var result = await task;
                            step.Accept(m, FloatBytes.AsFloats(result.Gradient), result.Loss);
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
                    // The leader stands in for a missing member with that member's own workspace seed: same result.
                    step.Compute(m);
                }
                double loss = step.Combine();

                long pushId = random.NextInt64();
                var stages = new Task<ShardStatus>[shards.Length];
                for (int k = 0; k < shards.Length; k++)
                {
                    byte[] slice = FloatBytes.ToBytes(step.Gradient.Slice(slices[k].Offset, slices[k].Length));
                    stages[k] = policy.NeedsReadParameters
                        ? shards[k].StageWithRead(pushId, slice, FloatBytes.ToBytes(step.Parameters.AsSpan(slices[k].Offset, slices[k].Length)))
                        : shards[k].Stage(pushId, slice);
                }
                var staged = await Task.WhenAll(stages);
                if (staged.Any(x => x != ShardStatus.Ok))
                {
                    // A shard did not store the push (a stray activation without state): committing would make the
                    // sequencer roll every shard back. Drop this gradient, let the sequencer check the shards, read again.
                    await sequencer.EnsureShards();
                    continue;
                }
                for (int j = 0; j < tracked.Length; j++)
                {
                    tracked[j] = step.Gradient[job.TrackedCoordinates[j]];
                    trackedRead[j] = step.Parameters[job.TrackedCoordinates[j]];
                }
                var commit = await sequencer.Commit(new CommitRequest
                {
                    PushId = pushId,
                    ReadVersion = readVersion,
                    BatchLoss = (float)loss,
                    TrackedGradient = FloatBytes.ToBytes(tracked),
                    TrackedRead = policy.NeedsReadParameters ? FloatBytes.ToBytes(trackedRead) : [],
                    Group = g,
                });
                failures = 0;
                if (commit.Status == CommitStatus.Stopped) return;
                if (commit.Status == CommitStatus.Rejected) continue;
                step.Steps++;
                if (evaluation.IsDue(commit.Version))
                {
                    var evalStatus = await ReadAll(shards, slices, commit.Version, evaluator.Parameters);
                    if (evalStatus == ShardStatus.Ok)
                    {
                        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                        var r = evaluator.Evaluate();
                        await coordinator.ReportEvaluation(new EvalReport
                        {
                            Version = commit.Version,
                            Loss = r.Loss,
                            Correct = r.Correct,
                            Count = r.Count,
                            Seconds = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds,
                            Momentum = commit.Momentum,
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
