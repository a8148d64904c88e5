using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Polyak.Cluster.Contracts;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Optimization;

namespace Polyak.Cluster.Client;

/// <summary>
/// The <c>cluster</c> execution backend: submits the run to an Orleans cluster (shard grains, sequencer, coordinator,
/// worker grains), streams progress and evaluations into the run's monitor, stops the job when the monitor says so,
/// and finally copies the server state (w, v, version, staleness, momentum) and, with <c>--momentum auto</c>, the
/// sequencer's momentum controller back into the local session, so the run record means the same as on the other
/// backends. The cluster's silos rebuild the model and the data from the run's configuration, so the run must be
/// portable (a catalog model and a data spec every silo can load).
/// </summary>
public sealed class ClusterBackend : IExecutionBackend
{
    private readonly IClusterClient? _client;

    /// <summary>A backend that connects to <c>--cluster HOST:PORT</c>.</summary>
    public ClusterBackend() { }

    /// <summary>A backend that uses an already connected client (tests, in-process clusters).</summary>
    public ClusterBackend(IClusterClient client) => _client = client;

    /// <inheritdoc/>
    public string Name => "cluster";

    /// <summary>Number of shards K (null = <see cref="ShardLayout.DefaultShards"/>).</summary>
    public int? Shards { get; init; }

    /// <summary>Seconds to wait for the gateway.</summary>
    public double ConnectTimeoutSeconds { get; init; } = 15;

    /// <summary>Polling period of the job status.</summary>
    public TimeSpan PollPeriod { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Barrier deadline of compute groups, in seconds.</summary>
    public double BarrierDeadlineSeconds { get; init; } = 5;

    /// <summary>
    /// Seconds the job goes on after this client stops being heard from (killed, or cut off) before it checkpoints and
    /// stops (<see cref="JobSpec.ClientGraceSeconds"/>; 0 = it never stops for that).
    /// </summary>
    public double ClientGraceSeconds { get; init; } = 30;

    /// <summary>
    /// Leave the job running on purpose: once its first update is applied, the client ends its run as
    /// <see cref="RunStatus.Detached"/> and the job goes on without it (it never stops for a missing client); it needs a
    /// limit the cluster enforces itself (<c>--updates</c> or <c>--epochs</c>).
    /// </summary>
    public bool Detach { get; init; }

    /// <summary>
    /// Follow the job that is running for this run folder (one detached, or whose client died) instead of submitting one:
    /// <c>train --resume DIR --attach</c>. Its progress so far and from now on is recorded, and its end writes the record.
    /// </summary>
    public bool Attach { get; init; }

    /// <summary>Where the backend says what it did that the record shows only at the end (attached to which job).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>The cluster certificate (TLS) and secret this client presents (default none).</summary>
    public Security.ClusterSecurity Security { get; init; } = Polyak.Cluster.Security.ClusterSecurity.None;

    /// <summary>Seconds without a heartbeat before a group leader on a live silo is replaced (<see cref="JobSpec.LeaderTimeoutSeconds"/>).</summary>
    public double LeaderTimeoutSeconds { get; init; } = 30;

    /// <summary>Checkpoint folder (null = <c>{--out}/checkpoints</c> when --out is given, else none).</summary>
    public string? CheckpointDir { get; init; }

    /// <summary>The id of the last job this instance submitted (informational, for tools and tests; not state a run depends on).</summary>
    public string? LastJobId { get; private set; }

    /// <summary>Refuses Hogwild (updates are atomic across shards) and a run the silos cannot rebuild from its configuration. Every staleness policy runs (the shards' and the sequencer's update cores apply it).</summary>
    public void ValidateOptions(TrainingOptions options)
    {
        if (options.Discipline != UpdateDiscipline.Atomic) throw HogwildRefused();
        if (options.TargetAccuracy is not null)
            throw new ArgumentException("--target-accuracy: the cluster's leaders evaluate on the training subset only; accuracy targets run on threads and the simulator");
        if (Detach && Attach) throw new ArgumentException("--detach and --attach: give one (attach follows a job; detach leaves it)");
        if (Detach && options.Updates is null && options.Epochs is null)
            throw new ArgumentException("--detach: the job must end by itself, so give --updates or --epochs (the cluster enforces those; --time and --target-loss are checked by an attached client)");
        // A run whose cluster stopped answering recorded how far its job got: a resume from an older checkpoint loses the
        // difference, and the record counts it (read now, before the run's own live record replaces the file).
        _previousReached = options.OutDir is string previous ? ReachedUpdate(previous) : null;
        if (_client is not null) return; // a caller's own client is connected already
        string spec = options.Cluster ?? throw new ArgumentException("--backend cluster needs --cluster HOST:PORT (the gateway of a silo started with 'polyak cluster silo')");
        var gateways = ClusterEndpoint.ParseList(spec);
        ClusterEndpoint.Probe(gateways, TimeSpan.FromSeconds(ProbeTimeoutSeconds));
        // Resubmitting the run of a folder whose job was detached and still runs would be refused by the registry after the
        // folder's record was replaced: ask first, before anything is written.
        if (!Attach && options.OutDir is string dir && RunFolderState.Read(dir) is { Status: "detached" })
            RefuseWhileDetachedJobRuns(gateways, Path.GetFullPath(dir)).GetAwaiter().GetResult();
    }

    /// <summary>Seconds the pre-data check waits for the gateway's TCP port to accept a connection.</summary>
    public const double ProbeTimeoutSeconds = 3;

    private static ArgumentException HogwildRefused() =>
        new("--backend cluster applies every update atomically across shards; --discipline hogwild is not supported there");

    /// <inheritdoc/>
    public void Validate(RunPlan plan)
    {
        if (plan.Discipline != UpdateDiscipline.Atomic) throw HogwildRefused();
        if (!plan.Portable)
            throw new ArgumentException($"--backend cluster: every silo rebuilds the model and the data from the run's configuration, so the run needs a catalog model and data loaded from a data spec (model '{plan.Model.Name}', data '{plan.Config.Data}'); a model of your own or data built in memory runs on threads or the simulator");
    }

    /// <inheritdoc/>
    public void Run(TrainingContext context) => RunAsync(context).GetAwaiter().GetResult();

    private async Task RunAsync(TrainingContext context)
    {
        var plan = context.Plan;
        Validate(plan);
        IHost? host = null;
        var client = _client;
        string endpoint = "in-process";
        if (client is null)
        {
            string spec = plan.Config.Cluster ?? throw new ArgumentException("--backend cluster needs --cluster HOST:PORT (the gateway of a silo started with 'polyak cluster silo')");
            var gateway = ClusterEndpoint.ParseList(spec);
            endpoint = ClusterEndpoint.Format(gateway);
            host = await ClusterEndpoint.ConnectAsync(gateway, TimeSpan.FromSeconds(ConnectTimeoutSeconds), Security);
            client = host.Services.GetRequiredService<IClusterClient>();
        }
        try
        {
            await RunJob(context, client, endpoint);
        }
        finally
        {
            if (host is not null)
            {
                try { await host.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
                host.Dispose();
            }
        }
    }

    private async Task RunJob(TrainingContext context, IClusterClient client, string endpoint)
    {
        var plan = context.Plan;
        var monitor = context.Monitor;
        int d = plan.Model.ParameterCount;
        string jobId = $"job-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{Guid.NewGuid().ToString("N")[..6]}";
        string? runDir = context.RunDirectory ?? (plan.Config.OutDir is string outDir ? Path.GetFullPath(outDir) : null);
        string? checkpointDir = CheckpointDir ?? (runDir is null ? null : Path.Combine(runDir, "checkpoints"));
        _runDir = runDir;
        if (Attach) jobId = await FindRunningJob(client, checkpointDir, runDir, endpoint);
        LastJobId = jobId;
        long checkpointEvery = plan.Config.CheckpointEvery ?? Math.Max(1, (long)(plan.Config.EvalEvery ?? 50) * 5);
        var job = new JobSpec
        {
            JobId = jobId,
            OptionsJson = JsonSerializer.Serialize(plan.Config with { Backend = "cluster" }, Json.Indented),
            Shards = Math.Clamp(Shards ?? ShardLayout.DefaultShards(d), 1, d),
            Dimension = d,
            UpdateLimit = monitor.UpdateLimit,
            EvalEvery = monitor.EvalEvery,
            CheckpointDir = checkpointDir,
            CheckpointEvery = checkpointEvery,
            Workers = plan.Workers,
            Groups = plan.Groups,
            BarrierDeadlineSeconds = BarrierDeadlineSeconds,
            ClientGraceSeconds = Detach ? 0 : ClientGraceSeconds,
            LeaderTimeoutSeconds = LeaderTimeoutSeconds,
            Proof = Security.Prove(jobId),
            TrackedCoordinates = context.Controller is null ? [] : MomentumController.TrackedCoordinates(d, plan.Seed),
        };
        var initial = context.Server.GetState();
        var coordinator = client.GetGrain<IJobCoordinatorGrain>(jobId);
        var sequencer = client.GetGrain<IUpdateSequencerGrain>(jobId);
        long start;
        if (Attach)
        {
            start = (await Retry(() => coordinator.Status(int.MaxValue))).Server.Version;
            Log?.Invoke($"attached to job {jobId} at update {start} (cluster {endpoint})");
        }
        else
        {
            try
            {
                start = await coordinator.Submit(job, FloatBytes.ToBytes(initial.W));
            }
            catch (Exception ex) when (ex.Message.Contains("checkpoint", StringComparison.Ordinal) || ex is ArgumentException or UnauthorizedAccessException)
            {
                throw new ArgumentException(ex.Message + (ex.Message.Contains("being written by running job", StringComparison.Ordinal) ? $"; or follow it with ./polyak train --resume {runDir} --attach" : ""));
            }
        }
        if (start > 0) monitor.SetAppliedUpdates(start);
        long lostBefore = !Attach && _previousReached is long reached && reached > start ? reached - start : 0;
        string? lostEvent = lostBefore > 0
            ? $"the previous client saw the job reach update {_previousReached} before its cluster stopped answering; resumed from {(start > 0 ? $"the checkpoint at update {start}" : "the start (no checkpoint)")}: {lostBefore} update(s) lost"
            : null;
        _previousReached = null;

        int cursor = 0;
        long lastVersion = start;
        bool stopSent = false;
        DateTime? stopSentAt = null;
        JobStatus status;
        void Record(IEnumerable<EvalReport> evaluations)
        {
            foreach (var e in evaluations)
                monitor.RecordEvaluation(e.Version, new EvaluationResult(e.Loss, e.Correct, e.Count), plan.Model.IsClassifier, TimeSpan.FromSeconds(e.Seconds),
                    double.IsFinite(e.Momentum) ? e.Momentum : null);
        }
        var lastAlive = DateTime.MinValue;
        bool detached = false;
        JobStatus? seen = null;
        try
        {
        while (true)
        {
            await Task.Delay(PollPeriod);
            if (DateTime.UtcNow - lastAlive > TimeSpan.FromSeconds(1))
            {
                lastAlive = DateTime.UtcNow;
                // Not awaited: a heartbeat sent through a gateway that just died waits out its response timeout, and the
                // poll loop (and the next heartbeats, through a live gateway) must not wait with it.
                _ = coordinator.ClientAlive().WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            }
            // Bounded per attempt for the same reason: a poll lost with a dead gateway is tried again through another.
            status = await Retry(() => coordinator.Status(cursor).WaitAsync(StatusAttemptTimeout));
            seen = status;
            cursor = status.NextEvaluation;
            Record(status.Evaluations);
            if (status.Server.Version != lastVersion)
            {
                lastVersion = status.Server.Version;
                double loss = status.Server.BatchLoss;
                monitor.OnApplied(lastVersion, double.IsNaN(loss) ? 0 : loss);
            }
            // Stopped on the cluster's side before its limit ('polyak cluster stop', or a stop this client missed): the
            // run is interrupted, resumable, with the cluster's reason. Checked before the job's end, which may come in
            // the same poll.
            if (!stopSent && !monitor.ShouldStop && status.Server.Stopped && status.Server.Version < monitor.UpdateLimit)
                monitor.RequestStop(RunStatus.Interrupted, status.StopReason ?? "the job was stopped on the cluster's side");
            if (status.Finished) break;
            if (Detach && status.Server.Version > start)
            {
                // Left on purpose: the job goes on (it never stops for a missing client); this record is the client's view now.
                monitor.RequestStop(RunStatus.Detached,
                    $"detached at update {status.Server.Version}: job {jobId} goes on on the cluster at {endpoint}; follow it with ./polyak train --resume {runDir ?? "DIR"} --attach, stop it with ./polyak cluster stop {jobId} --cluster {endpoint}");
                detached = true;
                break;
            }
            if (!stopSent && (monitor.ShouldStop || status.Server.Stopped))
            {
                stopSent = true;
                stopSentAt = DateTime.UtcNow;
                await Retry(() => coordinator.Stop(monitor.StopReason ?? "the run's stop condition fired"));
            }
            // Leaders on a dead silo never report that they stopped: do not wait for them forever.
            if (stopSentAt is DateTime at && DateTime.UtcNow - at > TimeSpan.FromSeconds(15)) break;
        }
        }
        catch (IOException) when (seen is not null)
        {
            // The cluster stopped answering: the record keeps how far the job got and where its checkpoints are.
            context.BackendRecord = new ClusterBackendRecord
            {
                Cluster = endpoint, JobId = jobId, Shards = [], Leaders = seen.Groups.Select(g => new ClusterLeaderRecord(g.Group, g.Silo, g.Steps, g.MissingMembers)).ToArray(),
                CheckpointDir = checkpointDir, CheckpointEvery = checkpointEvery, Checkpoints = seen.Server.Checkpoints, LastCheckpoint = seen.Server.LastCheckpointVersion,
                ReachedUpdate = lastVersion, UpdatesLost = seen.Server.UpdatesLost, Recoveries = seen.Server.Recoveries, WorkerReplacements = seen.Replacements,
                Events = [.. seen.Server.Events, .. seen.Events, $"the cluster stopped answering after update {lastVersion} (last checkpoint {seen.Server.LastCheckpointVersion})"],
            };
            throw;
        }
        if (status.Server.Version >= monitor.UpdateLimit)
            monitor.RequestStop(RunStatus.Completed, monitor.UpdateLimitReason);

        // Copy the remote server (and its momentum controller) back into the local session (detached: as it is now, while
        // the job goes on, so the record is a consistent view of the moment the client left).
        var snapshot = await Retry(() => sequencer.Snapshot());
        context.Server.SetState(new ServerState(snapshot.Version, snapshot.Momentum, FloatBytes.AsFloats(snapshot.W).ToArray(),
            FloatBytes.AsFloats(snapshot.V).ToArray(), snapshot.Staleness));
        // The staleness policy's state: DC-ASGD-a's mean square (so a later resume on any backend continues it), the
        // updates a drop policy dropped, and the bounded-staleness gate's counts, as the run record reports them.
        if (snapshot.MeanSquare.Length > 0) context.Server.Core.RestoreMeanSquare(FloatBytes.AsFloats(snapshot.MeanSquare));
        context.Server.Core.RestoreDroppedUpdates(snapshot.DroppedUpdates);
        if (context.StalenessGate is { } gate && snapshot.GroupSteps.Length == plan.Groups)
        {
            gate.Restore(snapshot.GroupSteps);
            gate.RestoreCounters(snapshot.GateWaits, snapshot.GateMaxLeadAtRead, snapshot.GateMaxLead);
        }
        if (context.Controller is { } controller && snapshot.AutoMomentum is string json)
            controller.Restore(JsonSerializer.Deserialize<MomentumControllerState>(json, Json.Compact)
                ?? throw new InvalidDataException($"job {jobId}: the sequencer sent an empty momentum controller state"));
        var shards = await Retry(() => sequencer.Shards());
        var final = await Retry(() => coordinator.Status(cursor));
        Record(final.Evaluations);

        context.BackendRecord = new ClusterBackendRecord
        {
            Cluster = endpoint,
            JobId = jobId,
            Shards = shards.Select(s => new ClusterShardRecord(s.Index, s.Silo, s.Length)).ToArray(),
            Leaders = final.Groups.Select(g => new ClusterLeaderRecord(g.Group, g.Silo, g.Steps, g.MissingMembers)).ToArray(),
            CheckpointDir = checkpointDir,
            CheckpointEvery = checkpointEvery,
            Checkpoints = final.Server.Checkpoints,
            LastCheckpoint = final.Server.LastCheckpointVersion,
            ResumedFrom = final.Server.ResumedFrom >= 0 ? final.Server.ResumedFrom : null,
            UpdatesLost = final.Server.UpdatesLost + lostBefore,
            Recoveries = final.Server.Recoveries,
            WorkerReplacements = final.Replacements,
            WatchdogChecks = final.WatchdogChecks,
            Events = (lostEvent is null ? [] : new[] { lostEvent }).Concat(final.Server.Events).Concat(final.Events).ToArray(),
        };

        if (detached) return; // the job goes on: its grains stay
        try { await coordinator.Release(); } catch (Exception) { }
    }

    private async Task RefuseWhileDetachedJobRuns(IPEndPoint[] gateways, string runDir)
    {
        using var host = await ClusterEndpoint.ConnectAsync(gateways, TimeSpan.FromSeconds(ConnectTimeoutSeconds), Security);
        try
        {
            string? running = await RunningJob(host.Services.GetRequiredService<IClusterClient>(), CheckpointDir ?? Path.Combine(runDir, "checkpoints"));
            if (running is not null)
                throw new ArgumentException($"--resume: the job of {runDir} was detached and still runs on the cluster (job {running}); follow it with ./polyak train --resume {runDir} --attach, or stop it first with ./polyak cluster stop {running}");
        }
        finally
        {
            await host.StopAsync(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>The registry's jobs for <paramref name="checkpointDir"/>, oldest first.</summary>
    private async Task<JobEntry[]> JobsFor(IClusterClient client, string checkpointDir)
    {
        var entries = await Retry(() => client.GetGrain<IJobRegistryGrain>(0).Entries());
        return entries.Where(e => e.CheckpointDir is string d && Path.GetFullPath(d) == Path.GetFullPath(checkpointDir)).ToArray();
    }

    /// <summary>
    /// The newest of <paramref name="jobs"/> whose coordinator still holds its state (running, or ended with its final
    /// state kept for an attach) and, unless <paramref name="endedToo"/>, has not finished; null when none.
    /// </summary>
    private async Task<string?> NewestHeld(IClusterClient client, IEnumerable<JobEntry> jobs, bool endedToo)
    {
        foreach (var e in jobs.Reverse())
        {
            var status = await Retry(() => client.GetGrain<IJobCoordinatorGrain>(e.JobId).Status(int.MaxValue));
            if (status.JobId.Length > 0 && (endedToo || !status.Finished)) return e.JobId;
        }
        return null;
    }

    /// <summary>The job still running for <paramref name="checkpointDir"/>; null when none.</summary>
    private async Task<string?> RunningJob(IClusterClient client, string checkpointDir) =>
        await NewestHeld(client, (await JobsFor(client, checkpointDir)).Where(e => e.Outcome is null), endedToo: false);

    /// <summary>The id of the job that runs for <paramref name="checkpointDir"/> (what <c>--attach</c> follows); throws naming what is there instead.</summary>
    private async Task<string> FindRunningJob(IClusterClient client, string? checkpointDir, string? runDir, string endpoint)
    {
        if (checkpointDir is null) throw new ArgumentException("--attach follows the job of a run folder: give --resume DIR");
        var mine = await JobsFor(client, checkpointDir);
        // An ended job still holding its state (kept for a while for this) is attached too: its final state is copied.
        if (await NewestHeld(client, mine, endedToo: true) is string held) return held;
        string seen = mine.Length == 0 ? "the cluster has no job for it"
            : string.Join("; ", mine.Select(e => $"job {e.JobId} {(e.Outcome is null ? "lost its state" : $"finished ({e.Outcome}, {e.Updates} updates)")}"));
        throw new ArgumentException($"--attach: no job is running for {runDir} on the cluster at {endpoint} ({seen}); continue the run from its checkpoint with ./polyak train --resume {runDir}");
    }

    private string? _runDir;
    private long? _previousReached;

    /// <summary><c>backend.reached_update</c> of the run record in <paramref name="runDir"/>, if any.</summary>
    private static long? ReachedUpdate(string runDir)
    {
        string path = Path.Combine(runDir, "run.json");
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.TryGetProperty("backend", out var be) && be.ValueKind == JsonValueKind.Object
                && be.TryGetProperty("reached_update", out var r) && r.ValueKind == JsonValueKind.Number && r.TryGetInt64(out long v) ? v : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null; // a record this version cannot read counts nothing
        }
    }

    /// <summary>How long one status poll may take before it is tried again (through another gateway when one died).</summary>
    public static readonly TimeSpan StatusAttemptTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long the client keeps retrying a call that fails because a silo (or its gateway) went away.</summary>
    public TimeSpan TransientRetryWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A call is tried at least this many times before a transient error fails the run, however long each took.</summary>
    public int MinimumAttempts { get; init; } = 4;

    /// <summary>
    /// Calls <paramref name="call"/>, retrying while it fails with a transient cluster error (a silo or gateway shutting
    /// down or dead, a rejected or timed-out message), for up to <see cref="TransientRetryWindow"/> and at least
    /// <see cref="MinimumAttempts"/> times (a lost message costs a whole response timeout).
    /// </summary>
    private async Task<T> Retry<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + TransientRetryWindow;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (IsTransient(ex) && (attempt < MinimumAttempts || DateTime.UtcNow < deadline))
            {
                await Task.Delay(200);
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                // Given up: say what it means in one line (Orleans' own message carries its stack); the run folder's
                // checkpoints are what is left.
                string where = _runDir is null ? "" : $"; if the silos are gone, restart them and continue from the newest checkpoint with ./polyak train --resume {_runDir}";
                throw new IOException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the cluster stopped answering: {attempt} attempts over {TransientRetryWindow.TotalSeconds:G3} s failed ({ex.GetType().Name}); the silo holding the job's coordinator and sequencer (the control silo) is probably gone, and the job's state with it{where}"), ex);
            }
        }
    }

    private Task Retry(Func<Task> call) => Retry(async () => { await call(); return true; });

    private static bool IsTransient(Exception ex) =>
        ex is Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or TimeoutException
        || ex.GetType().Name is "ConnectionFailedException" or "GatewayTooBusyException";
}
