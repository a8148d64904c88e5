using System.Globalization;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Tuning;

namespace Polyak.Training;

/// <summary>
/// Trains one run end to end, from the command line's options or from typed settings and a model of the caller's own:
/// plans it (<see cref="RunPlanner"/>), finds the auto-momentum target by a short synchronous tune when none is given,
/// builds and executes a <see cref="TrainingSession"/>, checkpoints it (<see cref="Checkpointer"/>), builds the record
/// (<see cref="RunRecordBuilder"/>) and writes the run folder (<see cref="RunFolderWriter"/>, plus the host's
/// <see cref="Artifacts"/>). Files are written only when asked: the options' <c>OutDir</c>, the setup's
/// <see cref="TrainingSetup.OutputDirectory"/>, or <see cref="DefaultRunDirectory"/>. The record is written even when
/// training diverges or fails part-way.
/// </summary>
public sealed class Trainer
{
    /// <summary>Progress sink for live output.</summary>
    public IProgress<ProgressReport>? Progress { get; init; }

    /// <summary>Informational messages (data loaded, the auto-momentum target...).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Applied to the run's context after it is built (and restored) and before training starts: test hooks, or the optimizer setting a trial's momentum.</summary>
    public Action<TrainingContext>? Configure { get; init; }

    /// <summary>Writers of further files in the run folder (figures: Polyak.Reporting).</summary>
    public IReadOnlyList<IRunArtifactWriter> Artifacts { get; init; } = [];

    /// <summary>
    /// Resume even when the data's fingerprint differs from the one the checkpoint recorded (<c>--allow-changed-data</c>);
    /// by default such a resume is refused, naming the data and both fingerprints.
    /// </summary>
    public bool AllowChangedData { get; init; }

    /// <summary>The run folder of a run whose options name none (the CLI's <c>runs/&lt;time&gt;-&lt;model&gt;-&lt;backend&gt;</c>); null = write no files.</summary>
    public Func<RunPlan, string>? DefaultRunDirectory { get; init; }

    /// <summary>Trains with the given options; <paramref name="data"/> may be passed to reuse loaded data.</summary>
    public TrainingResult Run(TrainingOptions options, CancellationToken cancel = default, DataSplit? data = null) =>
        Execute(RunPlanner.Plan(options, data, log: Log), null, cancel, allowDefaultDirectory: true);

    /// <summary>
    /// Continues the run saved in <paramref name="runDir"/> (its <c>checkpoint.bin</c>) and writes it there.
    /// <paramref name="adjust"/> may change the stop conditions (e.g. more updates); everything else comes from the checkpoint.
    /// </summary>
    public TrainingResult Resume(string runDir, Func<TrainingOptions, TrainingOptions>? adjust = null, CancellationToken cancel = default, DataSplit? data = null)
    {
        var checkpoint = Checkpointer.ReadRun(runDir, Log);
        var resume = ResumeOf(runDir, checkpoint);
        return Continue(checkpoint, adjust, runDir, cancel, data, resume: resume);
    }

    /// <summary>
    /// Continues the run of a model of the caller's own (a library run written with <see cref="TrainingSetup.OutputDirectory"/>)
    /// saved in <paramref name="runDir"/>: its configuration cannot rebuild <paramref name="model"/> or
    /// <paramref name="data"/>, so the caller gives them again (the same model and data, or the resumed run is not the same run).
    /// </summary>
    public TrainingResult Resume(string runDir, IModel model, DataSplit data, Func<TrainingOptions, TrainingOptions>? adjust = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var checkpoint = Checkpointer.ReadRun(runDir, Log);
        var resume = ResumeOf(runDir, checkpoint);
        return Continue(checkpoint, adjust, runDir, cancel, data, model, resume: resume);
    }

    /// <summary>
    /// What the folder says about how its run ended, for a resume: a run still trained by a live process is refused; one
    /// left <c>running</c> by a process that died is resumed from its checkpoint, counting the updates done again.
    /// </summary>
    private ResumeRecord ResumeOf(string runDir, Checkpoint checkpoint)
    {
        var folder = RunFolderState.Read(runDir);
        long at = checkpoint.State.Version;
        string reason;
        long redone = 0;
        if (folder is { Status: "running", Process: { } p })
        {
            if (p.IsAlive())
                throw new ArgumentException($"--resume: the run in '{runDir}' is being trained by process {p.Pid} on {p.Host} (started {p.StartedUtc:u}); stop it first, or wait for it");
            redone = Math.Max(0, folder.Updates - at);
            reason = $"was left running by process {p.Pid} on {p.Host}, which is gone (killed or crashed); its record had reached update {folder.Updates}";
        }
        else reason = folder is null ? "has no run record" : $"ended {folder.Status}";
        Log?.Invoke($"resuming {runDir} from the checkpoint at update {at}: the run {reason}" + (redone > 0 ? $"; at least {redone} update(s) are done again" : ""));
        return new ResumeRecord(at, redone, DateTime.UtcNow, reason);
    }

    /// <summary>
    /// Continues <paramref name="checkpoint"/> with its configuration changed by <paramref name="adjust"/>; writes the run
    /// folder into <paramref name="outDir"/>, or nothing when it is null (the optimizer's re-tuning trials).
    /// <paramref name="model"/> and <paramref name="backend"/> replace what the configuration names (a library run).
    /// </summary>
    public TrainingResult Continue(Checkpoint checkpoint, Func<TrainingOptions, TrainingOptions>? adjust,
        string? outDir, CancellationToken cancel = default, DataSplit? data = null, IModel? model = null, IExecutionBackend? backend = null,
        ResumeRecord? resume = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var options = checkpoint.State.Config with { OutDir = outDir };
        if (adjust is not null) options = adjust(options) with { OutDir = outDir };
        if (model is null && options.Data.StartsWith(TrainingSetup.InMemoryPrefix, StringComparison.Ordinal))
            throw new ArgumentException($"--resume: the run in '{outDir}' trained model '{options.Model}' on data held in memory ({options.Data}); a library run is resumed with Trainer.Resume(runDir, model, data)");
        var plan = RunPlanner.Plan(options, data, model, backend, Log);
        if (checkpoint.State.ParameterCount != plan.Model.ParameterCount)
            throw new ArgumentException($"checkpoint has {checkpoint.State.ParameterCount} parameters but model '{plan.Model.Name}' on this data has {plan.Model.ParameterCount}");
        string now = DataFingerprint.Of(plan.Data);
        if (checkpoint.State.DataFingerprint is string then && then != now)
        {
            if (!AllowChangedData)
                throw new ArgumentException($"--resume: data '{plan.Config.Data}' changed since the checkpoint at update {checkpoint.State.Version}: its fingerprint was {then}, now {now}; resume anyway with --allow-changed-data");
            Log?.Invoke($"resuming on changed data '{plan.Config.Data}' (fingerprint {then} -> {now}), as --allow-changed-data asks");
        }
        return Execute(plan, checkpoint, cancel, allowDefaultDirectory: false, resume);
    }

    /// <summary>
    /// Trains <paramref name="model"/> (any <see cref="IModel"/>) on in-memory <paramref name="data"/> with typed
    /// <paramref name="setup"/>; writes no files unless <see cref="TrainingSetup.OutputDirectory"/> is set. Throws
    /// <see cref="ArgumentException"/> for a setting that is not valid, before training.
    /// </summary>
    public TrainingResult Train(IModel model, DataSplit data, TrainingSetup setup, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(setup);
        return Execute(RunPlanner.Plan(setup.ToOptions(model, data), data, model, setup.Backend, Log), null, cancel, allowDefaultDirectory: false);
    }

    /// <summary>As <see cref="Train"/>, on a thread of its own; the task completes when training ends (cancel to stop early: the result says interrupted).</summary>
    public Task<TrainingResult> TrainAsync(IModel model, DataSplit data, TrainingSetup setup, CancellationToken cancel = default) =>
        Task.Factory.StartNew(() => Train(model, data, setup, cancel), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private TrainingResult Execute(RunPlan plan, Checkpoint? checkpoint, CancellationToken cancel, bool allowDefaultDirectory, ResumeRecord? resume = null)
    {
        var started = DateTime.UtcNow; // the record's start includes the auto-momentum target tune
        var (resolved, origin) = ResolveAutoMomentumTarget(plan);
        string? runDir = resolved.Config.OutDir ?? (allowDefaultDirectory ? DefaultRunDirectory?.Invoke(resolved) : null);
        string option = resolved.Config.OutDir is null ? "run folder" : "--out";
        if (runDir is not null && checkpoint is null) OutputFolder.CheckNewRun(runDir, option);
        if (runDir is null) return Execute(resolved, origin, null, checkpoint, cancel, started, resume);
        Directory.CreateDirectory(runDir);
        runDir = Path.GetFullPath(runDir);
        // One owner per run folder, for the whole run: a second run, resume or cluster client for it is refused.
        using var folderLock = RunFolderLock.Acquire(runDir, checkpoint is null ? option : "--resume");
        // Checked again under the lock: another process may have written a run here between the first check and the lock.
        if (checkpoint is null) OutputFolder.CheckNewRun(runDir, option, underOwnLock: true);
        return Execute(resolved, origin, runDir, checkpoint, cancel, started, resume);
    }

    private TrainingResult Execute(RunPlan resolved, AutoMomentumTargetOrigin? origin, string? runDir, Checkpoint? checkpoint, CancellationToken cancel,
        DateTime started, ResumeRecord? resume)
    {
        var session = new TrainingSession(resolved, Progress, cancel, runDir, started);
        if (session.Controller is { } c)
            Log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"auto momentum: target total {c.Target:G4}, start mu_e {c.Start:G4}, gain {c.Options.Gain:G3}, period {c.Options.Period}, bounds [{c.Options.Min:G3}, {c.Options.Max:G3}]"));
        if (checkpoint is { } cp)
        {
            session.Restore(cp.State, cp.W, cp.V);
            if (resume is not null) session.Resumes.Add(resume);
        }
        Checkpointer? checkpointer = runDir is null || resolved.Config.CheckpointEvery == 0
            ? null : new Checkpointer(session, Path.Combine(runDir, CheckpointFile.FileName));
        LiveRunFolder? live = null;
        if (runDir is not null)
        {
            // From the first update on, the folder is a resumable run: a checkpoint of the start, a live record and curve,
            // periodic checkpoints (default: every 30 s and every tenth of the run), each followed by a fresh record.
            string dir = runDir;
            session.Starting = () =>
            {
                checkpointer?.Write();
                live = new LiveRunFolder(dir, () => RunRecordBuilder.BuildRunning(session, origin));
                session.Monitor.Evaluated = live.OnEvaluation;
            };
            if (checkpointer is not null && session.Monitor.Checkpoints.Periodic)
                session.Context.WriteCheckpoint = () =>
                {
                    checkpointer.Write();
                    live?.Refresh();
                };
        }
        Configure?.Invoke(session.Context);

        SessionOutcome outcome;
        try
        {
            outcome = session.Execute();
        }
        finally
        {
            session.Monitor.Evaluated = null;
            live?.Dispose();
        }
        if (checkpointer is not null && outcome.Status != RunStatus.Diverged && outcome.Failure is null) checkpointer.Write();
        var record = RunRecordBuilder.Build(session, outcome, origin);
        // A resume refused before it did anything (bad input, e.g. a cluster that still runs the folder's job) keeps the
        // folder's record as it was: the error is reported, and nothing already computed is replaced by a "failed" run.
        bool refusedResume = checkpoint is not null && outcome.Failure is ArgumentException && outcome.Final.Version == checkpoint.State.Version;
        if (runDir is not null && !refusedResume) new RunFolderWriter { Artifacts = Artifacts }.Write(runDir, record);
        return new TrainingResult(record, outcome.Status, runDir, outcome.Final.W, outcome.Final.V, outcome.Failure);
    }

    /// <summary>
    /// The auto-momentum target: as given, or the best synchronous momentum of a short tune (a quarter of the run, at
    /// most 2000 updates) on the run's own model, data and backend.
    /// </summary>
    private (RunPlan Plan, AutoMomentumTargetOrigin? Origin) ResolveAutoMomentumTarget(RunPlan plan)
    {
        if (plan.AutoMomentum is not { } auto) return (plan, null);
        if (auto.Target is not null) return (plan, AutoMomentumTargetOrigin.Given);
        long runBudget = plan.UpdateLimit != long.MaxValue ? plan.UpdateLimit : Math.Max(1, (long)Math.Ceiling(2.0 * plan.Data.Train.Count / plan.Batch));
        long budget = Math.Min(2000, runBudget / 4);
        var runner = new SessionTrialRunner(plan.Data, plan.Config.DataSeed ?? plan.Seed, plan.Portable ? null : plan.Model, plan.Backend);
        var (target, tune) = SynchronousMomentumTarget.Find(plan.Requested, runner, plan.LearningRate, budget, Log);
        return (RunPlanner.WithAutoMomentumTarget(plan, target), new AutoMomentumTargetOrigin("synchronous tune", tune.CostSeconds, tune.CostUpdates));
    }
}
