using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Cluster.Placement;
using Polyak.Cluster.Security;

namespace Polyak.Cluster.Grains;

/// <summary>
/// The coordinator of a job (see <see cref="IJobCoordinatorGrain"/>). A watchdog timer replaces a group whose leader
/// is on a silo that membership declared dead, or has been silent for <see cref="JobSpec.LeaderTimeoutSeconds"/>: the leader grain is
/// started again with a new generation, which re-activates it on a live silo; and a job whose client has not been heard
/// from for <see cref="JobSpec.ClientGraceSeconds"/> takes a checkpoint and stops (no orphan job writing into a run
/// folder nobody owns). The registry hears how every job ended. The job's data lives in the silo's
/// <see cref="GrainStateStore"/>, so a duplicate activation on the same silo carries on with it.
/// </summary>
[ControlPlacement]
public sealed class JobCoordinatorGrain(GrainStateStore store, IClusterMembershipService membership, ILocalSiloDetails silo, ClusterSecurity security, ILogger<JobCoordinatorGrain> log)
    : Grain, IJobCoordinatorGrain
{
    /// <summary>How long a job that ended without a client keeps its final state for an attach before it is released.</summary>
    public static readonly TimeSpan FinishedRetention = TimeSpan.FromMinutes(10);

    private CoordinatorState? _state;
    private IDisposable? _watchdog;

    private CoordinatorState S => _state ??= store.GetOrAdd(this.GetPrimaryKeyString(), () => new CoordinatorState());

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Job is not null) StartWatchdog(); // a second activation of a running job
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<long> Submit(JobSpec job, byte[] initialW)
    {
        security.Check(job.JobId, job.Proof, "submit"); // a cluster with a secret takes jobs only from clients that hold it
        JobAdmission.Check(job); // the silo's own limits, whatever the client checked
        var s = S;
        lock (s)
        {
            s.Job = null;
            s.Evaluations.Clear();
            s.Events.Clear();
            s.StopReason = null;
            s.Stopping = false;
            s.Replacements = 0;
            s.LastClient = DateTime.UtcNow;
            s.ReportedFinished = false;
            s.Groups = new GroupHeartbeat[job.Groups];
            s.LastSeen = new DateTime[job.Groups];
            s.Generation = new int[job.Groups];
            s.LeaderStopped = new bool[job.Groups];
            for (int g = 0; g < job.Groups; g++)
            {
                s.Groups[g] = new GroupHeartbeat { Group = g };
                s.LastSeen[g] = DateTime.UtcNow + TimeSpan.FromSeconds(30); // data loading grace
            }
        }
        this.DelayDeactivation(TimeSpan.FromDays(1));
        await GrainFactory.GetGrain<IJobRegistryGrain>(0).Register(job.JobId, job.CheckpointDir);
        long start = await GrainFactory.GetGrain<IUpdateSequencerGrain>(job.JobId).Start(job, initialW);
        lock (s) s.Job = job;
        int size = job.GroupSize;
        // Members first, then leaders, so a leader's first barrier finds its members ready.
        await Task.WhenAll(Enumerable.Range(0, job.Workers).Where(i => i % size != 0)
            .Select(i => Worker(job, i).Start(new WorkerAssignment { Job = job, Group = i / size, Member = i % size })));
        lock (s)
        {
            for (int g = 0; g < job.Groups; g++) s.LastSeen[g] = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        }
        await Task.WhenAll(Enumerable.Range(0, job.Groups)
            .Select(g => Worker(job, g * size).Start(new WorkerAssignment { Job = job, Group = g, Member = 0 })));
        StartWatchdog();
        return start;
    }

    /// <inheritdoc/>
    public async Task<JobStatus> Status(int fromEvaluation)
    {
        var s = S;
        var job = s.Job;
        var server = job is null ? new SequencerStatus() : await ServerStatus(job);
        lock (s)
        {
            fromEvaluation = Math.Clamp(fromEvaluation, 0, s.Evaluations.Count);
            var now = DateTime.UtcNow;
            return new JobStatus
            {
                JobId = job?.JobId ?? "",
                Server = server,
                Evaluations = s.Evaluations.Skip(fromEvaluation).ToArray(),
                NextEvaluation = s.Evaluations.Count,
                Groups = s.Groups.Select((h, g) => new GroupHeartbeat
                {
                    Group = h.Group, Steps = h.Steps, Silo = h.Silo, MissingMembers = h.MissingMembers,
                    SilentSeconds = (now - s.LastSeen[g]).TotalSeconds, Generation = s.Generation[g], Address = h.Address,
                }).ToArray(),
                Events = [.. s.Events],
                // Not finished while the stop's checkpoint is being written: whoever sees Finished may read that checkpoint.
                Finished = s.LeaderStopped.Length > 0 && s.LeaderStopped.All(x => x) && (s.Stopping || server.Stopped) && s.StopCheckpoints == 0,
                StopReason = s.StopReason,
                Replacements = s.Replacements,
                WatchdogChecks = s.Checks,
                CoordinatorSilo = silo.SiloAddress.ToString(),
            };
        }
    }

    /// <summary>
    /// The sequencer's status; when it does not answer in time (a busy or recovering silo), the last one seen, so a
    /// status poll never waits on the sequencer's silo.
    /// </summary>
    private async Task<SequencerStatus> ServerStatus(JobSpec job)
    {
        try
        {
            var status = await GrainFactory.GetGrain<IUpdateSequencerGrain>(job.JobId).Status();
            S.LastServer = status;
            return status;
        }
        catch (Exception ex) when (S.LastServer is { } last)
        {
            log.LogWarning("job {Job}: sequencer status unavailable ({Message}); reporting the last one", job.JobId, ex.Message);
            return last;
        }
    }

    /// <inheritdoc/>
    public async Task Stop(string reason)
    {
        var s = S;
        lock (s)
        {
            s.StopReason ??= reason;
            s.Stopping = true;
        }
        if (s.Job is { } job) await GrainFactory.GetGrain<IUpdateSequencerGrain>(job.JobId).Stop();
    }

    /// <inheritdoc/>
    public Task ClientAlive()
    {
        var s = S;
        lock (s) s.LastClient = DateTime.UtcNow;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ReportEvaluation(EvalReport report)
    {
        var s = S;
        lock (s) s.Evaluations.Add(report);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> Heartbeat(GroupHeartbeat heartbeat)
    {
        var s = S;
        lock (s)
        {
            // No job here (e.g. a coordinator re-activated without state): do not stop anyone on that basis.
            if (s.Job is null) return Task.FromResult(true);
            if ((uint)heartbeat.Group >= (uint)s.Groups.Length || heartbeat.Generation != s.Generation[heartbeat.Group])
                return Task.FromResult(false);
            s.Groups[heartbeat.Group] = heartbeat;
            s.LastSeen[heartbeat.Group] = DateTime.UtcNow;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task ReportEvent(string message)
    {
        log.LogWarning("{Message}", message);
        var s = S;
        lock (s) s.Events.Add(message);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task LeaderStopped(int group, int generation)
    {
        var s = S;
        lock (s)
        {
            if ((uint)group < (uint)s.LeaderStopped.Length && generation == s.Generation[group]) s.LeaderStopped[group] = true;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task Release()
    {
        _watchdog?.Dispose();
        _watchdog = null;
        var s = S;
        if (s.Job is { } job)
        {
            lock (s) s.Stopping = true;
            await ReportFinished(job, s.StopReason ?? "completed");
            var all = Enumerable.Range(0, job.Workers).Select(i => Ignore(Worker(job, i).Release()))
                .Concat(Enumerable.Range(0, job.Shards).Select(k => Ignore(GrainFactory.GetGrain<IShardGrain>($"{job.JobId}/{k}").Release())))
                .Append(Ignore(GrainFactory.GetGrain<IUpdateSequencerGrain>(job.JobId).Release()));
            await Task.WhenAll(all);
        }
        store.Remove<CoordinatorState>(this.GetPrimaryKeyString());
        DeactivateOnIdle();
    }

    private IWorkerGrain Worker(JobSpec job, int index) => GrainFactory.GetGrain<IWorkerGrain>($"{job.JobId}/{index}");

    private void StartWatchdog()
    {
        _watchdog?.Dispose();
        // Interleaving: the grain is rarely idle (status polls, heartbeats), and a non-interleaving tick would starve.
        _watchdog = this.RegisterGrainTimer(Watchdog, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { Interleave = true });
    }

    private async Task Watchdog()
    {
        var s = S;
        var job = s.Job;
        lock (s)
        {
            // Two activations may both run a watchdog: one check per ~second is enough.
            if (DateTime.UtcNow - s.LastCheck < TimeSpan.FromMilliseconds(800)) return;
            s.LastCheck = DateTime.UtcNow;
            s.Checks++;
        }
        if (job is null) return;
        if (s.Stopping || (s.LastServer?.Stopped ?? false))
        {
            // Ended without its client (stopped for the missing client, or the client died after asking it to stop).
            bool allStopped;
            lock (s) allStopped = s.LeaderStopped.Length > 0 && s.LeaderStopped.All(x => x);
            if (allStopped && DateTime.UtcNow - s.LastClient > TimeSpan.FromSeconds(Math.Max(5, job.ClientGraceSeconds)))
                await ReportFinished(job, s.StopReason ?? "completed (its client was gone)");
            // Its final state waits this long for a client to attach and copy it; then its grains and memory are released.
            if (s.ReportedFinished && DateTime.UtcNow - s.FinishedUtc > FinishedRetention && DateTime.UtcNow - s.LastClient > FinishedRetention)
            {
                log.LogInformation("job {Job}: ended {Minutes} min ago with no client attached; releasing it", job.JobId, FinishedRetention.TotalMinutes);
                await Release();
                return;
            }
            if (s.Stopping) return;
        }
        if (job.ClientGraceSeconds > 0 && DateTime.UtcNow - s.LastClient > TimeSpan.FromSeconds(job.ClientGraceSeconds))
        {
            await StopForMissingClient(job);
            return;
        }
        var server = await ServerStatus(job);
        if (server.Stopped) return;
        var replace = new List<WorkerAssignment>();
        lock (s)
        {
            var now = DateTime.UtcNow;
            int size = job.GroupSize;
            var leaderTimeout = TimeSpan.FromSeconds(job.LeaderTimeoutSeconds);
            for (int g = 0; g < job.Groups; g++)
            {
                bool siloDead = s.Groups[g].Address is { } address
                    && membership.CurrentSnapshot.GetSiloStatus(address) is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping;
                if (!s.LeaderStopped[g] && !siloDead && now - s.LastSeen[g] < leaderTimeout) continue;
                s.Generation[g]++;
                s.LeaderStopped[g] = false;
                s.Replacements++;
                s.LastSeen[g] = now + TimeSpan.FromSeconds(10);
                string message = $"group {g}: leader worker {g * size} (last on {s.Groups[g].Silo}) {(siloDead ? "is on a dead silo" : $"silent for {job.LeaderTimeoutSeconds:G3} s or stopped")}; replaced (generation {s.Generation[g]})";
                s.Groups[g] = new GroupHeartbeat { Group = g, Silo = s.Groups[g].Silo };
                log.LogWarning("{Message}", message);
                s.Events.Add(message);
                replace.Add(new WorkerAssignment { Job = job, Group = g, Member = 0, Generation = s.Generation[g] });
            }
        }
        foreach (var a in replace) _ = StartReplacement(job, a);
    }

    /// <summary>
    /// Starts a replacement leader. When the call fails (typically: the directory still pointed at the dead silo), the
    /// group is marked silent so the next watchdog tick replaces it again instead of waiting out the grace period.
    /// </summary>
    private async Task StartReplacement(JobSpec job, WorkerAssignment a)
    {
        try
        {
            await Worker(job, a.Group * job.GroupSize).Start(a);
        }
        catch (Exception ex)
        {
            log.LogWarning("job {Job}: starting the replacement of group {Group} failed: {Message}", job.JobId, a.Group, ex.Message);
            var s = S;
            lock (s)
            {
                if (a.Generation == s.Generation[a.Group])
                {
                    s.LastSeen[a.Group] = DateTime.UtcNow - TimeSpan.FromSeconds(job.LeaderTimeoutSeconds);
                    s.Events.Add($"group {a.Group}: starting its replacement (generation {a.Generation}) failed ({ex.GetType().Name}); retrying");
                }
            }
        }
    }

    /// <inheritdoc/>
    public Task<long> StopAtCheckpoint(string reason, byte[] proof)
    {
        security.Check(this.GetPrimaryKeyString(), proof, "stop");
        return StopAtCheckpoint(reason);
    }

    private async Task<long> StopAtCheckpoint(string reason)
    {
        var s = S;
        if (s.Job is not { CheckpointDir: string dir } job)
        {
            await Stop(reason);
            return -1;
        }
        Interlocked.Increment(ref s.StopCheckpoints);
        try
        {
            await Stop(reason); // stops the sequencer: no update between the stop and the checkpoint
            long at = await GrainFactory.GetGrain<IUpdateSequencerGrain>(job.JobId).Checkpoint();
            lock (s) s.Events.Add($"checkpoint at update {at} in {dir} ({reason})");
            return at;
        }
        finally
        {
            Interlocked.Decrement(ref s.StopCheckpoints);
        }
    }

    /// <summary>No word from the client for the grace period: stop at a checkpoint (when the job has a folder).</summary>
    private async Task StopForMissingClient(JobSpec job)
    {
        string reason = $"stopped: its client was not heard from for {job.ClientGraceSeconds:G3} s; rerun the same command to resume";
        log.LogWarning("job {Job}: {Reason}", job.JobId, reason);
        var s = S;
        lock (s) s.Events.Add(reason);
        try { await StopAtCheckpoint(reason); }
        catch (Exception ex)
        {
            lock (s) s.Events.Add($"job {job.JobId}: its checkpoint at the stop failed ({ex.GetType().Name}: {ex.Message})");
        }
    }

    /// <summary>Tells the registry how the job ended (once).</summary>
    private async Task ReportFinished(JobSpec job, string outcome)
    {
        var s = S;
        lock (s)
        {
            if (s.ReportedFinished) return;
            s.ReportedFinished = true;
            s.FinishedUtc = DateTime.UtcNow;
        }
        long updates = s.LastServer?.Version ?? 0;
        try { updates = await GrainFactory.GetGrain<IUpdateSequencerGrain>(job.JobId).CommittedVersion().WaitAsync(TimeSpan.FromSeconds(2)); }
        catch (Exception) { } // the last status seen will do
        await Ignore(GrainFactory.GetGrain<IJobRegistryGrain>(0).Finished(job.JobId, outcome, updates));
    }

    private async Task Ignore(Task task)
    {
        try { await task; }
        catch (Exception ex) { log.LogWarning("job call failed: {Message}", ex.Message); }
    }

    /// <summary>The job as the coordinator holds it, shared by every activation of this coordinator on this silo.</summary>
    private sealed class CoordinatorState
    {
        public JobSpec? Job;
        public readonly List<EvalReport> Evaluations = [];
        public readonly List<string> Events = [];
        public GroupHeartbeat[] Groups = [];
        public DateTime[] LastSeen = [];
        public int[] Generation = [];
        public bool[] LeaderStopped = [];
        public string? StopReason;
        public bool Stopping;
        public int Replacements;
        public long Checks;
        public DateTime LastCheck;
        public SequencerStatus? LastServer;
        public DateTime LastClient = DateTime.UtcNow;
        public bool ReportedFinished;
        public int StopCheckpoints; // stop checkpoints being written
        public DateTime FinishedUtc;
    }
}
