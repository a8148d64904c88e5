using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polyak.Cluster.Checkpoints;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Placement;
using Polyak.Execution;
using Polyak.Optimization;

namespace Polyak.Cluster.Grains;

/// <summary>
/// The sequencer of a job (see <see cref="IUpdateSequencerGrain"/>). Not reentrant: commits, checkpoints and
/// snapshots run one at a time, so between two turns every shard is at the same version. Keeps the latest
/// checkpoint in memory (and on disk when the job has a folder) as the point to roll back to.
/// </summary>
[ControlPlacement]
public sealed class UpdateSequencerGrain(ILogger<UpdateSequencerGrain> log) : Grain, IUpdateSequencerGrain
{
    private static readonly TimeSpan RestoreDeadline = TimeSpan.FromSeconds(90);

    private JobSpec? _job;
    private IShardGrain[] _shards = [];
    private (int Offset, int Length)[] _slices = [];
    private LearningRateSchedule _schedule = LearningRateSchedule.Parse("constant", 0.1);
    private float _mu;
    private float _lambda;
    private long _version;
    private StalenessHistogram _staleness = new();
    private volatile bool _stopped;
    private double _batchLoss = double.NaN;
    private ClusterCheckpoint? _restorePoint;
    private int _checkpoints;
    private long _lastCheckpoint = -1;
    private long _lost;
    private int _recoveries;
    private long _resumedFrom = -1;
    private readonly List<string> _events = [];

    /// <inheritdoc/>
    public async Task<long> Start(JobSpec job, byte[] initialW)
    {
        var options = JsonSerializer.Deserialize<TrainingOptions>(job.OptionsJson, Json.Indented)
            ?? throw new ArgumentException($"job {job.JobId}: empty options");
        if (job.Shards < 1 || job.Shards > job.Dimension)
            throw new ArgumentException($"job {job.JobId}: shard count {job.Shards} must be in [1, {job.Dimension}]");
        if (initialW.Length != job.Dimension * sizeof(float))
            throw new ArgumentException($"job {job.JobId}: initial parameters have {initialW.Length / sizeof(float)} values, the job has {job.Dimension}");
        _job = job;
        _schedule = LearningRateSchedule.Parse(options.Schedule, options.LearningRate ?? 0.1);
        _mu = (float)options.Momentum;
        _lambda = (float)options.WeightDecay;
        _shards = new IShardGrain[job.Shards];
        _slices = new (int, int)[job.Shards];
        for (int k = 0; k < job.Shards; k++)
        {
            _shards[k] = GrainFactory.GetGrain<IShardGrain>($"{job.JobId}/{k}");
            _slices[k] = ShardLayout.Slice(job.Dimension, job.Shards, k);
        }
        ClusterCheckpoint? resume = job.CheckpointDir is null ? null : ClusterCheckpoint.ReadLatest(job.CheckpointDir, job.Dimension);
        var start = resume ?? new ClusterCheckpoint(0, FloatBytes.AsFloats(initialW).ToArray(), new float[job.Dimension], []);
        _resumedFrom = resume?.Version ?? -1;
        if (resume is not null) _events.Add($"resumed from checkpoint at update {resume.Version}");
        _stopped = false;
        _lost = 0;
        _recoveries = 0;
        _checkpoints = 0;
        _lastCheckpoint = resume?.Version ?? -1;
        await RestoreShards(start);
        _restorePoint = start;
        this.DelayDeactivation(TimeSpan.FromDays(1));
        return _version;
    }

    /// <inheritdoc/>
    public async Task<CommitResult> Commit(long pushId, long readVersion, float batchLoss)
    {
        var job = _job ?? throw new InvalidOperationException("the job was not started");
        if (_stopped) return new CommitResult { Status = CommitStatus.Stopped, Version = _version };
        if (_version >= job.UpdateLimit)
        {
            _stopped = true;
            return new CommitResult { Status = CommitStatus.Stopped, Version = _version };
        }
        if (readVersion < 0 || readVersion > _version) return new CommitResult { Status = CommitStatus.Rejected, Version = _version };
        long t = _version;
        var command = new ApplyCommand { PushId = pushId, T = t, Alpha = (float)_schedule.At(t), Mu = _mu, Lambda = _lambda };
        string? problem = null;
        try
        {
            var statuses = await Task.WhenAll(_shards.Select(s => s.Apply(command)));
            for (int k = 0; k < statuses.Length && problem is null; k++)
                if (statuses[k] != ShardStatus.Ok) problem = $"shard {k} answered {statuses[k]} to update {t}";
        }
        catch (Exception ex)
        {
            problem = $"a shard failed during update {t}: {ex.GetType().Name}: {ex.Message}";
        }
        if (problem is not null)
        {
            await Recover(problem);
            return new CommitResult { Status = CommitStatus.Rejected, Version = _version };
        }
        _version = t + 1;
        long tau = t - readVersion;
        _staleness.Add(tau);
        if (float.IsFinite(batchLoss)) _batchLoss = double.IsNaN(_batchLoss) ? batchLoss : 0.95 * _batchLoss + 0.05 * batchLoss;
        if (job.CheckpointEvery > 0 && _version % job.CheckpointEvery == 0) await TakeCheckpoint();
        return new CommitResult { Status = CommitStatus.Applied, Staleness = tau, Version = _version };
    }

    /// <summary>Checks every shard still holds its state; rolls back to the latest checkpoint when one lost it.</summary>
    public async Task<bool> EnsureShards()
    {
        if (_job is null) return false;
        try
        {
            var infos = await Task.WhenAll(_shards.Select(s => s.Info()));
            var lost = infos.Select((info, k) => (info, k)).Where(x => !x.info.Initialized || x.info.Version != _version).Select(x => x.k).ToArray();
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
    public Task<long> CommittedVersion() => Task.FromResult(_version);

    /// <inheritdoc/>
    public async Task<long> Checkpoint()
    {
        await TakeCheckpoint();
        return _version;
    }

    /// <inheritdoc/>
    public async Task<ServerSnapshot> Snapshot()
    {
        var job = _job ?? throw new InvalidOperationException("the job was not started");
        for (int attempt = 0; ; attempt++)
        {
            var parts = await Task.WhenAll(_shards.Select(s => s.Snapshot()));
            if (parts.All(p => p.Status == ShardStatus.Ok && p.Version == _version))
            {
                var w = new byte[job.Dimension * sizeof(float)];
                var v = new byte[w.Length];
                for (int k = 0; k < parts.Length; k++)
                {
                    parts[k].W.CopyTo(w, _slices[k].Offset * sizeof(float));
                    parts[k].V.CopyTo(v, _slices[k].Offset * sizeof(float));
                }
                return new ServerSnapshot { Version = _version, W = w, V = v, Staleness = _staleness.ToArray() };
            }
            if (attempt >= 2) throw new InvalidOperationException($"job {job.JobId}: shards are not consistent at version {_version}");
            await Recover("snapshot found a shard without state");
        }
    }

    /// <inheritdoc/>
    public Task Stop()
    {
        _stopped = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<SequencerStatus> Status() => Task.FromResult(new SequencerStatus
    {
        Version = _version,
        Stopped = _stopped || (_job is not null && _version >= _job.UpdateLimit),
        BatchLoss = _batchLoss,
        Checkpoints = _checkpoints,
        LastCheckpointVersion = _lastCheckpoint,
        UpdatesLost = _lost,
        Recoveries = _recoveries,
        ResumedFrom = _resumedFrom,
        Events = [.. _events],
    });

    /// <inheritdoc/>
    public Task<ShardInfo[]> Shards() => Task.WhenAll(_shards.Select(s => s.Info()));

    private async Task TakeCheckpoint()
    {
        var job = _job!;
        var parts = await Task.WhenAll(_shards.Select(s => s.Snapshot()));
        if (!parts.All(p => p.Status == ShardStatus.Ok && p.Version == _version))
        {
            await Recover("checkpoint found a shard without state");
            return;
        }
        var w = new float[job.Dimension];
        var v = new float[job.Dimension];
        for (int k = 0; k < parts.Length; k++)
        {
            FloatBytes.CopyTo(parts[k].W, w.AsSpan(_slices[k].Offset, _slices[k].Length));
            FloatBytes.CopyTo(parts[k].V, v.AsSpan(_slices[k].Offset, _slices[k].Length));
        }
        var checkpoint = new ClusterCheckpoint(_version, w, v, _staleness.ToArray());
        if (job.CheckpointDir is string dir)
        {
            try { checkpoint.Write(dir); }
            catch (IOException ex)
            {
                _events.Add($"checkpoint at update {_version} could not be written to '{dir}': {ex.Message}");
                log.LogWarning("checkpoint write failed: {Message}", ex.Message);
            }
        }
        _restorePoint = checkpoint;
        _checkpoints++;
        _lastCheckpoint = _version;
    }

    /// <summary>Rolls every shard back to the restore point (the latest checkpoint), counting the updates lost.</summary>
    private async Task Recover(string reason)
    {
        var point = _restorePoint ?? throw new InvalidOperationException($"job {_job?.JobId}: {reason}, and there is no checkpoint to restore");
        long lost = _version - point.Version;
        string message = $"{reason}: rolled back to the checkpoint at update {point.Version}, {lost} update(s) lost";
        log.LogWarning("job {Job}: {Message}", _job?.JobId, message);
        _events.Add(message);
        await RestoreShards(point);
        _lost += lost;
        _recoveries++;
    }

    private async Task RestoreShards(ClusterCheckpoint point)
    {
        var job = _job!;
        var deadline = DateTime.UtcNow + RestoreDeadline;
        for (int k = 0; k < _shards.Length; k++)
        {
            var (offset, length) = _slices[k];
            var init = new ShardInit
            {
                JobId = job.JobId,
                Index = k,
                Offset = offset,
                W = FloatBytes.ToBytes(point.W.AsSpan(offset, length)),
                V = FloatBytes.ToBytes(point.V.AsSpan(offset, length)),
                Version = point.Version,
            };
            while (true)
            {
                try
                {
                    await _shards[k].Initialize(init);
                    break;
                }
                catch (Exception ex) when (DateTime.UtcNow < deadline)
                {
                    log.LogWarning("job {Job}: shard {Shard} not reachable yet ({Message}); retrying", job.JobId, k, ex.Message);
                    await Task.Delay(500);
                }
            }
        }
        _version = point.Version;
        _staleness = StalenessHistogram.FromCounts(point.Staleness);
    }
}
