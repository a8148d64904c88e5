using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polyak.Cluster.Checkpoints;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Cluster.Placement;
using Polyak.Execution;
using Polyak.Optimization;

namespace Polyak.Cluster.Grains;

/// <summary>
/// The sequencer of a job (see <see cref="IUpdateSequencerGrain"/>). Not reentrant: commits, checkpoints and
/// snapshots run one at a time, so between two turns every shard is at the same version. Keeps the latest
/// checkpoint in memory (and on disk when the job has a folder) as the point to roll back to. Runs the job's staleness
/// policy: its core and every shard's apply the same rule to each update, and under <c>ssp:S</c> it keeps the
/// bounded-staleness gate the leaders wait at (<see cref="WaitForTurn"/>, interleaved with the commits that free them).
/// </summary>
[ControlPlacement]
public sealed class UpdateSequencerGrain(GrainStateStore store, ILogger<UpdateSequencerGrain> log) : Grain, IUpdateSequencerGrain
{
    private static readonly TimeSpan RestoreDeadline = TimeSpan.FromSeconds(90);

    private SequencerState? _state;

    private SequencerState S => _state ??= store.GetOrAdd(this.GetPrimaryKeyString(), () => new SequencerState());

    /// <summary>The sequencer's data, shared by every activation of this job's sequencer on this silo.</summary>
    private sealed class SequencerState
    {
        /// <summary>Serialises commits, checkpoints, restores and snapshots across activations.</summary>
        public readonly SemaphoreSlim Gate = new(1, 1);
        public JobSpec? Job;
        public IShardGrain[] Shards = [];
        public (int Offset, int Length)[] Slices = [];
        /// <summary>The update core: version, schedule, momentum, staleness, and w and v at the tracked coordinates.</summary>
        public UpdateCore Core = new(ServerState.Initial([], 0), 0, LearningRateSchedule.Constant(0.1));
        public MomentumController? Controller;
        /// <summary>The bounded-staleness gate (<c>ssp:S</c>; null otherwise), counting each group's applied updates.</summary>
        public BoundedStalenessGate? StepGate;
        /// <summary>Completed (and replaced) whenever a group's count changes or the job stops: wakes the leaders waiting at the gate.</summary>
        public TaskCompletionSource Turn = NewTurn();
        /// <summary>Groups whose current wait at the gate is already counted (a wait spans several timed-out calls).</summary>
        public bool[] Waiting = [];
        public int[] Tracked = [];
        public long Version => Core.Version;
        public volatile bool Stopped;
        public double BatchLoss = double.NaN;
        public ClusterCheckpoint? RestorePoint;
        public int Checkpoints;
        public long LastCheckpoint = -1;
        public long Lost;
        public int Recoveries;
        public long ResumedFrom = -1;
        public readonly List<string> Events = [];
    }

    /// <inheritdoc/>
    private async Task<long> StartCore(JobSpec job, byte[] initialW)
    {
        var options = JsonSerializer.Deserialize<TrainingOptions>(job.OptionsJson, Json.Indented)
            ?? throw new ArgumentException($"job {job.JobId}: empty options");
        if (job.Shards < 1 || job.Shards > job.Dimension)
            throw new ArgumentException($"job {job.JobId}: shard count {job.Shards} must be in [1, {job.Dimension}]");
        if (initialW.Length != job.Dimension * sizeof(float))
            throw new ArgumentException($"job {job.JobId}: initial parameters have {initialW.Length / sizeof(float)} values, the job has {job.Dimension}");
        S.Job = job;
        S.Tracked = job.TrackedCoordinates;
        if (S.Tracked.Any(i => i < 0 || i >= job.Dimension))
            throw new ArgumentException($"job {job.JobId}: tracked coordinates must be in [0, {job.Dimension})");
        // The client sends resolved options: the schedule is a full spec (e.g. cosine:2000), the momentum a number.
        var schedule = LearningRateSchedule.Parse(options.Schedule ?? "constant", options.LearningRate ?? 0.1);
        var policy = StalenessPolicy.Parse(options.StalenessPolicy ?? "none");
        S.Shards = new IShardGrain[job.Shards];
        S.Slices = new (int, int)[job.Shards];
        for (int k = 0; k < job.Shards; k++)
        {
            S.Shards[k] = GrainFactory.GetGrain<IShardGrain>($"{job.JobId}/{k}");
            S.Slices[k] = ShardLayout.Slice(job.Dimension, job.Shards, k);
        }
        ClusterCheckpoint? resume = job.CheckpointDir is null ? null : ClusterCheckpoint.ReadLatest(job.CheckpointDir, job.Dimension);
        // A fresh core at version 0 with the controller attached (which sets its start momentum); a resumed job then
        // takes the checkpoint's state, the controller's included, in RestoreShards.
        var initial = new ClusterCheckpoint(0, FloatBytes.AsFloats(initialW).ToArray(), new float[job.Dimension], [], options.Momentum ?? 0);
        S.Core = new UpdateCore(Gather(initial, initial.Momentum), options.WeightDecay, schedule, CoordinateSet.Of(S.Tracked)) { Policy = policy };
        S.StepGate = policy.StepBound is int bound ? new BoundedStalenessGate(job.Groups, bound) : null;
        S.Waiting = new bool[job.Groups];
        S.Controller = options.AutoMomentum is { } auto
            ? MomentumController.Attach(S.Core, job.Dimension, auto, job.Groups, options.Seed, job.UpdateLimit == long.MaxValue ? 0 : job.UpdateLimit)
            : null;
        if (resume is { Momentum: double.NaN } old) resume = old with { Momentum = S.Core.Momentum };
        // A checkpoint without the controller's state (format 1, or a job without auto momentum then) becomes the rollback
        // point: give it the fresh controller's state, so a rollback also takes the controller back.
        if (resume is { AutoMomentum: null } bare && S.Controller is not null) resume = bare with { AutoMomentum = ControllerJson() };
        var start = resume ?? initial with { Momentum = S.Core.Momentum, AutoMomentum = ControllerJson() };
        S.ResumedFrom = resume?.Version ?? -1;
        if (resume is not null) S.Events.Add($"resumed from checkpoint at update {resume.Version}");
        S.Stopped = false;
        S.Lost = 0;
        S.Recoveries = 0;
        S.Checkpoints = 0;
        S.LastCheckpoint = resume?.Version ?? -1;
        await RestoreShards(start);
        S.RestorePoint = start;
        this.DelayDeactivation(TimeSpan.FromDays(1));
        return S.Version;
    }

    /// <inheritdoc/>
    private async Task<CommitResult> CommitCore(CommitRequest request)
    {
        long pushId = request.PushId, readVersion = request.ReadVersion;
        float batchLoss = request.BatchLoss;
        var job = S.Job ?? throw new InvalidOperationException("the job was not started");
        if (S.Stopped) return new CommitResult { Status = CommitStatus.Stopped, Version = S.Version, Momentum = S.Core.Momentum };
        if (S.Version >= job.UpdateLimit)
        {
            S.Stopped = true;
            return new CommitResult { Status = CommitStatus.Stopped, Version = S.Version, Momentum = S.Core.Momentum };
        }
        if (request.Group < 0 || request.Group >= job.Groups)
            throw new ArgumentException($"job {job.JobId}: a commit from group {request.Group}, the job has groups 0 to {job.Groups - 1}");
        int trackedCount = request.TrackedGradient.Length / sizeof(float);
        if (trackedCount != S.Tracked.Length)
            throw new ArgumentException($"job {job.JobId}: a commit carries the gradient at {trackedCount} tracked coordinates, the job tracks {S.Tracked.Length}");
        if (S.Core.Policy.NeedsReadParameters && request.TrackedRead.Length != request.TrackedGradient.Length)
            throw new ArgumentException($"job {job.JobId}: --staleness-policy {S.Core.Policy.Spec} needs the parameters read at the {S.Tracked.Length} tracked coordinates with every commit");
        if (!S.Core.TryPrepare(readVersion, out var step)) return new CommitResult { Status = CommitStatus.Rejected, Version = S.Version, Momentum = S.Core.Momentum };
        var command = new ApplyCommand { PushId = pushId, T = step.T, ReadVersion = readVersion, Mu = step.Mu };
        string? problem = null;
        try
        {
            var statuses = await Task.WhenAll(S.Shards.Select(s => s.Apply(command)));
            for (int k = 0; k < statuses.Length && problem is null; k++)
                if (statuses[k] != ShardStatus.Ok) problem = $"shard {k} answered {statuses[k]} to update {step.T}{await Describe(k)}";
        }
        catch (Exception ex)
        {
            problem = $"a shard failed during update {step.T}: {ex.GetType().Name}: {ex.Message}";
        }
        if (problem is not null)
        {
            await Recover(problem);
            return new CommitResult { Status = CommitStatus.Rejected, Version = S.Version, Momentum = S.Core.Momentum };
        }
        // Every shard applied it (or dropped it, under drop:T): the core does the same update on its copy of the tracked
        // coordinates, under the same policy, records the staleness, tells the momentum controller (which may set the
        // next update's momentum) and advances the version. Nothing changed since TryPrepare, so it is the same step.
        S.Core.Apply(FloatBytes.AsFloats(request.TrackedGradient), readVersion, FloatBytes.AsFloats(request.TrackedRead));
        if (S.StepGate is { } gate)
        {
            gate.OnApplied(request.Group);
            WakeWaiters();
        }
        if (float.IsFinite(batchLoss)) S.BatchLoss = double.IsNaN(S.BatchLoss) ? batchLoss : 0.95 * S.BatchLoss + 0.05 * batchLoss;
        if (job.CheckpointEvery > 0 && S.Version % job.CheckpointEvery == 0) await TakeCheckpoint();
        return new CommitResult { Status = CommitStatus.Applied, Staleness = step.Staleness, Version = step.Version, Momentum = S.Core.Momentum };
    }

    /// <summary>Checks every shard still holds its state; rolls back to the latest checkpoint when one lost it.</summary>
    private async Task<bool> EnsureShardsCore()
    {
        if (S.Job is null) return false;
        try
        {
            var infos = await Task.WhenAll(S.Shards.Select(s => s.Info()));
            var lost = infos.Select((info, k) => (info, k)).Where(x => !x.info.Initialized || x.info.Version != S.Version).Select(x => x.k).ToArray();
            if (lost.Length == 0) return true;
            await Recover($"shard(s) {string.Join(", ", lost)} lost their state");
        }
        catch (Exception ex)
        {
            await Recover($"a shard is unreachable: {ex.GetType().Name}: {ex.Message}");
        }
        return false;
    }

    /// <inheritdoc/>
    public async Task<long> Start(JobSpec job, byte[] initialW)
    {
        var gate = S.Gate;
        await gate.WaitAsync();
        try { return await StartCore(job, initialW); }
        finally { gate.Release(); }
    }

    /// <inheritdoc/>
    public async Task<CommitResult> Commit(CommitRequest request)
    {
        var gate = S.Gate;
        await gate.WaitAsync();
        try { return await CommitCore(request); }
        finally { gate.Release(); }
    }

    /// <inheritdoc/>
    public async Task<bool> WaitForTurn(int group, int timeoutMs)
    {
        var job = S.Job;
        if (S.StepGate is not { } gate || job is null) return true;
        if (group < 0 || group >= job.Groups) throw new ArgumentException($"job {job.JobId}: group {group} is not in [0, {job.Groups})");
        var deadline = DateTime.UtcNow + TimeSpan.FromMilliseconds(Math.Max(0, timeoutMs));
        while (!gate.MayStart(group))
        {
            if (S.Stopped || S.Version >= job.UpdateLimit) return true;
            if (!S.Waiting[group])
            {
                S.Waiting[group] = true;
                gate.Waited(group);
            }
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero) return false;
            await Task.WhenAny(S.Turn.Task, Task.Delay(remaining));
        }
        S.Waiting[group] = false;
        gate.Started(group);
        return true;
    }

    private static TaskCompletionSource NewTurn() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes every leader waiting at the bounded-staleness gate (a count changed, or the job stops).</summary>
    private void WakeWaiters()
    {
        var turn = S.Turn;
        S.Turn = NewTurn();
        turn.TrySetResult();
    }

    /// <inheritdoc/>
    public async Task<bool> EnsureShards()
    {
        var gate = S.Gate;
        await gate.WaitAsync();
        try { return await EnsureShardsCore(); }
        finally { gate.Release(); }
    }

    /// <inheritdoc/>
    public async Task<long> Checkpoint()
    {
        var gate = S.Gate;
        await gate.WaitAsync();
        try { return await CheckpointCore(); }
        finally { gate.Release(); }
    }

    /// <inheritdoc/>
    public async Task<ServerSnapshot> Snapshot()
    {
        var gate = S.Gate;
        await gate.WaitAsync();
        try { return await SnapshotCore(); }
        finally { gate.Release(); }
    }

    /// <inheritdoc/>
    public Task<long> CommittedVersion() => Task.FromResult(S.Version);

    /// <inheritdoc/>
    private async Task<long> CheckpointCore()
    {
        await TakeCheckpoint();
        return S.Version;
    }

    /// <inheritdoc/>
    private async Task<ServerSnapshot> SnapshotCore()
    {
        var job = S.Job ?? throw new InvalidOperationException("the job was not started");
        for (int attempt = 0; ; attempt++)
        {
            var parts = await Task.WhenAll(S.Shards.Select(s => s.Snapshot()));
            if (parts.All(p => p.Status == ShardStatus.Ok && p.Version == S.Version))
            {
                var w = new byte[job.Dimension * sizeof(float)];
                var v = new byte[w.Length];
                for (int k = 0; k < parts.Length; k++)
                {
                    parts[k].W.CopyTo(w, S.Slices[k].Offset * sizeof(float));
                    parts[k].V.CopyTo(v, S.Slices[k].Offset * sizeof(float));
                }
                var meanSquare = MeanSquareOf(parts);
                var gate = S.StepGate;
                return new ServerSnapshot
                {
                    Version = S.Version, W = w, V = v, Staleness = S.Core.Staleness.ToArray(), Momentum = S.Core.Momentum, AutoMomentum = ControllerJson(),
                    MeanSquare = meanSquare is null ? [] : FloatBytes.ToBytes(meanSquare),
                    DroppedUpdates = S.Core.DroppedUpdates,
                    GroupSteps = gate?.AppliedCounts() ?? [],
                    GateWaits = gate?.Waits ?? 0,
                    GateMaxLeadAtRead = gate?.MaxLeadAtRead ?? 0,
                    GateMaxLead = gate?.MaxLead ?? 0,
                };
            }
            if (attempt >= 2) throw new InvalidOperationException($"job {job.JobId}: shards are not consistent at version {S.Version}");
            await Recover("snapshot found a shard without state");
        }
    }

    /// <inheritdoc/>
    public Task Stop()
    {
        S.Stopped = true;
        WakeWaiters();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task Release()
    {
        S.Stopped = true;
        WakeWaiters();
        store.Remove<SequencerState>(this.GetPrimaryKeyString());
        _state = null;
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<SequencerStatus> Status() => Task.FromResult(new SequencerStatus
    {
        Version = S.Version,
        Stopped = S.Stopped || (S.Job is not null && S.Version >= S.Job.UpdateLimit),
        BatchLoss = S.BatchLoss,
        Checkpoints = S.Checkpoints,
        LastCheckpointVersion = S.LastCheckpoint,
        UpdatesLost = S.Lost,
        Recoveries = S.Recoveries,
        ResumedFrom = S.ResumedFrom,
        Events = [.. S.Events],
        Momentum = S.Core.Momentum,
    });

    /// <inheritdoc/>
    public Task<ShardInfo[]> Shards() => Task.WhenAll(S.Shards.Select(s => s.Info()));

    private async Task TakeCheckpoint()
    {
        var job = S.Job!;
        var parts = await Task.WhenAll(S.Shards.Select(s => s.Snapshot()));
        if (!parts.All(p => p.Status == ShardStatus.Ok && p.Version == S.Version))
        {
            await Recover("checkpoint found a shard without state");
            return;
        }
        var w = new float[job.Dimension];
        var v = new float[job.Dimension];
        for (int k = 0; k < parts.Length; k++)
        {
            FloatBytes.CopyTo(parts[k].W, w.AsSpan(S.Slices[k].Offset, S.Slices[k].Length));
            FloatBytes.CopyTo(parts[k].V, v.AsSpan(S.Slices[k].Offset, S.Slices[k].Length));
        }
        var checkpoint = new ClusterCheckpoint(S.Version, w, v, S.Core.Staleness.ToArray(), S.Core.Momentum, ControllerJson(),
            MeanSquareOf(parts), S.Core.DroppedUpdates, S.StepGate?.AppliedCounts());
        if (job.CheckpointDir is string dir)
        {
            try { checkpoint.Write(dir); }
            catch (IOException ex)
            {
                S.Events.Add($"checkpoint at update {S.Version} could not be written to '{dir}': {ex.Message}");
                log.LogWarning("checkpoint write failed: {Message}", ex.Message);
            }
        }
        S.RestorePoint = checkpoint;
        S.Checkpoints++;
        S.LastCheckpoint = S.Version;
    }

    /// <summary>Where shard <paramref name="k"/> answers from and its version, for an event message (empty if it does not answer).</summary>
    private async Task<string> Describe(int k)
    {
        try
        {
            var info = await S.Shards[k].Info().WaitAsync(TimeSpan.FromSeconds(2));
            return $" (its activation on {info.Silo} is at version {info.Version})";
        }
        catch (Exception)
        {
            return "";
        }
    }

    /// <summary>Rolls every shard back to the restore point (the latest checkpoint), counting the updates lost.</summary>
    private async Task Recover(string reason)
    {
        var point = S.RestorePoint ?? throw new InvalidOperationException($"job {S.Job?.JobId}: {reason}, and there is no checkpoint to restore");
        long lost = S.Version - point.Version;
        string message = $"{reason}: rolled back to the checkpoint at update {point.Version}, {lost} update(s) lost";
        log.LogWarning("job {Job}: {Message}", S.Job?.JobId, message);
        S.Events.Add(message);
        await RestoreShards(point);
        S.Lost += lost;
        S.Recoveries++;
    }

    private async Task RestoreShards(ClusterCheckpoint point)
    {
        var job = S.Job!;
        var deadline = DateTime.UtcNow + RestoreDeadline;
        for (int k = 0; k < S.Shards.Length; k++)
        {
            var (offset, length) = S.Slices[k];
            var init = new ShardInit
            {
                JobId = job.JobId,
                Index = k,
                Offset = offset,
                W = FloatBytes.ToBytes(point.W.AsSpan(offset, length)),
                V = FloatBytes.ToBytes(point.V.AsSpan(offset, length)),
                Version = point.Version,
                LearningRate = S.Core.Schedule.BaseRate,
                Schedule = S.Core.Schedule.Spec,
                WeightDecay = S.Core.WeightDecay,
                Momentum = point.Momentum,
                Policy = S.Core.Policy.Spec,
                MeanSquare = point.MeanSquare is { } ms ? FloatBytes.ToBytes(ms.AsSpan(offset, length)) : [],
            };
            while (true)
            {
                try
                {
                    await S.Shards[k].Initialize(init);
                    break;
                }
                catch (Exception ex) when (DateTime.UtcNow < deadline)
                {
                    log.LogWarning("job {Job}: shard {Shard} not reachable yet ({Message}); retrying", job.JobId, k, ex.Message);
                    await Task.Delay(500);
                }
            }
        }
        S.Core.SetState(Gather(point, point.Momentum));
        if (point.MeanSquare is { } meanSquare) S.Core.RestoreMeanSquare(S.Tracked.Select(i => meanSquare[i]).ToArray());
        S.Core.RestoreDroppedUpdates(point.DroppedUpdates);
        if (S.StepGate is { } stepGate)
        {
            stepGate.Restore(point.GroupSteps is { Length: > 0 } steps && steps.Length == job.Groups ? steps : new long[job.Groups]);
            WakeWaiters();
        }
        if (S.Controller is not null && point.AutoMomentum is string json)
            S.Controller.Restore(JsonSerializer.Deserialize<MomentumControllerState>(json, Json.Compact)
                ?? throw new InvalidDataException($"job {job.JobId}: the checkpoint at update {point.Version} has an empty momentum controller state"));
    }

    /// <summary>The core's state at <paramref name="point"/>: its version and staleness, and w and v at the tracked coordinates.</summary>
    private ServerState Gather(ClusterCheckpoint point, double momentum)
    {
        var tracked = S.Tracked;
        var w = new float[tracked.Length];
        var v = new float[tracked.Length];
        for (int j = 0; j < tracked.Length; j++)
        {
            w[j] = point.W[tracked[j]];
            v[j] = point.V[tracked[j]];
        }
        return new ServerState(point.Version, momentum, w, v, point.Staleness);
    }

    /// <summary>DC-ASGD-a's mean square over all parameters, gathered from the shards' snapshots (null when no shard has one).</summary>
    private float[]? MeanSquareOf(ShardSnapshot[] parts)
    {
        if (parts.All(p => p.MeanSquare.Length == 0)) return null;
        var meanSquare = new float[S.Job!.Dimension];
        for (int k = 0; k < parts.Length; k++)
            if (parts[k].MeanSquare.Length > 0) FloatBytes.CopyTo(parts[k].MeanSquare, meanSquare.AsSpan(S.Slices[k].Offset, S.Slices[k].Length));
        return meanSquare;
    }

    /// <summary>The momentum controller's state as JSON (null without auto momentum).</summary>
    private string? ControllerJson() => S.Controller is { } c ? JsonSerializer.Serialize(c.GetState(), Json.Compact) : null;
}
