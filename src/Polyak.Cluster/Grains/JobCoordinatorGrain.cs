using Orleans.Runtime;
using Microsoft.Extensions.Logging;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Placement;

namespace Polyak.Cluster.Grains;

/// <summary>
/// The coordinator of a job (see <see cref="IJobCoordinatorGrain"/>). A watchdog timer replaces a group whose leader
/// has been silent for <see cref="LeaderTimeout"/>: the leader grain is started again with a new generation, which
/// re-activates it on a live silo when its silo died.
/// </summary>
[ControlPlacement]
public sealed class JobCoordinatorGrain(IClusterMembershipService membership, ILogger<JobCoordinatorGrain> log) : Grain, IJobCoordinatorGrain
{
    /// <summary>A leader silent this long is replaced.</summary>
    public static readonly TimeSpan LeaderTimeout = TimeSpan.FromSeconds(4);

    private JobSpec? _job;
    private readonly List<EvalReport> _evaluations = [];
    private readonly List<string> _events = [];
    private GroupHeartbeat[] _groups = [];
    private DateTime[] _lastSeen = [];
    private int[] _generation = [];
    private bool[] _leaderStopped = [];
    private string? _stopReason;
    private bool _stopping;
    private int _replacements;
    private IDisposable? _watchdog;
    private long _checks;

    /// <inheritdoc/>
    public async Task<long> Submit(JobSpec job, byte[] initialW)
    {
        if (job.Workers < 1 || job.Groups < 1 || job.Workers % job.Groups != 0)
            throw new ArgumentException($"job {job.JobId}: {job.Groups} group(s) do not divide {job.Workers} worker(s)");
        _job = job;
        _evaluations.Clear();
        _events.Clear();
        _stopReason = null;
        _stopping = false;
        _replacements = 0;
        _groups = new GroupHeartbeat[job.Groups];
        _lastSeen = new DateTime[job.Groups];
        _generation = new int[job.Groups];
        _leaderStopped = new bool[job.Groups];
        for (int g = 0; g < job.Groups; g++) _groups[g] = new GroupHeartbeat { Group = g };
        this.DelayDeactivation(TimeSpan.FromDays(1));
        await GrainFactory.GetGrain<IJobRegistryGrain>(0).Register(job.JobId);
        long start = await GrainFactory.GetGrain<IUpdateSequencerGrain>(job.JobId).Start(job, initialW);
        int size = job.GroupSize;
        // Members first, then leaders, so a leader's first barrier finds its members ready.
        await Task.WhenAll(Enumerable.Range(0, job.Workers).Where(i => i % size != 0)
            .Select(i => Worker(i).Start(new WorkerAssignment { Job = job, Group = i / size, Member = i % size })));
        var now = DateTime.UtcNow;
        for (int g = 0; g < job.Groups; g++) _lastSeen[g] = now + TimeSpan.FromSeconds(10); // data loading grace
        await Task.WhenAll(Enumerable.Range(0, job.Groups)
            .Select(g => Worker(g * size).Start(new WorkerAssignment { Job = job, Group = g, Member = 0 })));
        _watchdog?.Dispose();
        // Interleaving: the grain is rarely idle (status polls, heartbeats), and a non-interleaving tick would starve.
        _watchdog = this.RegisterGrainTimer(Watchdog, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { Interleave = true });
        return start;
    }

    /// <inheritdoc/>
    public async Task<JobStatus> Status(int fromEvaluation)
    {
        var server = _job is null ? new SequencerStatus() : await GrainFactory.GetGrain<IUpdateSequencerGrain>(_job.JobId).Status();
        fromEvaluation = Math.Clamp(fromEvaluation, 0, _evaluations.Count);
        return new JobStatus
        {
            JobId = _job?.JobId ?? "",
            Server = server,
            Evaluations = _evaluations.Skip(fromEvaluation).ToArray(),
            NextEvaluation = _evaluations.Count,
            Groups = _groups.Select((h, g) => new GroupHeartbeat
            {
                Group = h.Group, Steps = h.Steps, Silo = h.Silo, MissingMembers = h.MissingMembers,
                SilentSeconds = (DateTime.UtcNow - _lastSeen[g]).TotalSeconds, Generation = _generation[g], Address = h.Address,
            }).ToArray(),
            Events = [.. _events],
            Finished = _leaderStopped.Length > 0 && _leaderStopped.All(s => s) && (_stopping || server.Stopped),
            StopReason = _stopReason,
            Replacements = _replacements,
            WatchdogChecks = _checks,
        };
    }

    /// <inheritdoc/>
    public async Task Stop(string reason)
    {
        _stopReason ??= reason;
        _stopping = true;
        if (_job is not null) await GrainFactory.GetGrain<IUpdateSequencerGrain>(_job.JobId).Stop();
    }

    /// <inheritdoc/>
    public Task ReportEvaluation(EvalReport report)
    {
        _evaluations.Add(report);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task Heartbeat(GroupHeartbeat heartbeat)
    {
        if ((uint)heartbeat.Group < (uint)_groups.Length && heartbeat.Generation == _generation[heartbeat.Group])
        {
            _groups[heartbeat.Group] = heartbeat;
            _lastSeen[heartbeat.Group] = DateTime.UtcNow;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ReportEvent(string message)
    {
        log.LogWarning("{Message}", message);
        _events.Add(message);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task LeaderStopped(int group, int generation)
    {
        if ((uint)group < (uint)_leaderStopped.Length && generation == _generation[group]) _leaderStopped[group] = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task Release()
    {
        _watchdog?.Dispose();
        _watchdog = null;
        if (_job is not null)
        {
            var job = _job;
            var all = Enumerable.Range(0, job.Workers).Select(i => Ignore(Worker(i).Release()))
                .Concat(Enumerable.Range(0, job.Shards).Select(k => Ignore(GrainFactory.GetGrain<IShardGrain>($"{job.JobId}/{k}").Release())));
            await Task.WhenAll(all);
        }
        DeactivateOnIdle();
    }

    private IWorkerGrain Worker(int index) => GrainFactory.GetGrain<IWorkerGrain>($"{_job!.JobId}/{index}");

    private async Task Watchdog()
    {
        var job = _job;
        _checks++;
        if (job is null || _stopping) return;
        var server = await GrainFactory.GetGrain<IUpdateSequencerGrain>(job.JobId).Status();
        if (server.Stopped) return;
        var now = DateTime.UtcNow;
        int size = job.GroupSize;
        for (int g = 0; g < job.Groups; g++)
        {
            bool siloDead = _groups[g].Address is { } address && membership.CurrentSnapshot.GetSiloStatus(address) is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping;
            if (!_leaderStopped[g] && !siloDead && now - _lastSeen[g] < LeaderTimeout) continue;
            _generation[g]++;
            _leaderStopped[g] = false;
            _replacements++;
            _lastSeen[g] = now + TimeSpan.FromSeconds(10);
            _groups[g] = new GroupHeartbeat { Group = g, Silo = _groups[g].Silo };
            string message = $"group {g}: leader worker {g * size} (last on {_groups[g].Silo}) {(siloDead ? "is on a dead silo" : $"silent for {LeaderTimeout.TotalSeconds:G3} s or stopped")}; replaced (generation {_generation[g]})";
            log.LogWarning("{Message}", message);
            _events.Add(message);
            var assignment = new WorkerAssignment { Job = job, Group = g, Member = 0, Generation = _generation[g] };
            _ = Ignore(Worker(g * size).Start(assignment));
        }
    }

    private async Task Ignore(Task task)
    {
        try { await task; }
        catch (Exception ex) { log.LogWarning("job call failed: {Message}", ex.Message); }
    }
}

/// <summary>The registry of submitted jobs (see <see cref="IJobRegistryGrain"/>).</summary>
[ControlPlacement]
public sealed class JobRegistryGrain : Grain, IJobRegistryGrain
{
    private readonly List<string> _jobs = [];

    /// <inheritdoc/>
    public Task Register(string jobId)
    {
        if (!_jobs.Contains(jobId)) _jobs.Add(jobId);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<string[]> Jobs() => Task.FromResult(_jobs.ToArray());
}
