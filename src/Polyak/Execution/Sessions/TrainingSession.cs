using Polyak.Models;
using Polyak.Optimization;

namespace Polyak.Execution;

/// <summary>
/// The build and execute stages of one run. Building makes the initial parameters (seeded), the parameter server, the
/// monitor (stop conditions, curve, progress), the momentum controller on the server's core when the plan has closed-loop
/// momentum, and the <see cref="TrainingContext"/> the backend runs on; <see cref="Restore"/> continues a checkpoint.
/// <see cref="Execute"/> evaluates the start, runs the backend until a stop condition, and evaluates the end on the
/// evaluation subset and the test split. A session writes no files: <see cref="Checkpointer"/> and
/// <see cref="RunFolderWriter"/> do, when the caller wants them.
/// </summary>
public sealed class TrainingSession
{
    private bool _resumed;

    /// <summary>
    /// Builds a run of <paramref name="plan"/>; <paramref name="runDirectory"/> is where the caller writes its folder, if
    /// anywhere; <paramref name="startedUtc"/> is when the run started (default now; a resume keeps the checkpoint's).
    /// </summary>
    public TrainingSession(RunPlan plan, IProgress<ProgressReport>? progress = null, CancellationToken cancel = default, string? runDirectory = null,
        DateTime? startedUtc = null)
    {
        StartedUtc = startedUtc ?? DateTime.UtcNow;
        ArgumentNullException.ThrowIfNull(plan);
        Plan = plan;
        int d = plan.Model.ParameterCount;
        var w = new float[d];
        plan.Model.Initialize(w, plan.InitializationSeed);
        Server = new ParameterServer(w, plan.Momentum, plan.WeightDecay, plan.Schedule, plan.Discipline, plan.StalenessPolicy);
        Monitor = new RunMonitor(plan.UpdateLimit, plan.TimeLimit, plan.TargetLoss, plan.DivergenceFactor, plan.Config.EvalEvery ?? 1, progress, cancel)
        {
            Checkpoints = runDirectory is null ? CheckpointPolicy.None : CheckpointPolicy.For(plan.Config.CheckpointEvery, plan.UpdateLimit),
            EpochLimit = plan.EpochLimit,
            TargetAccuracy = plan.TargetAccuracy,
            ParallelEvaluators = plan.Backend.EvaluatesInParallel ? plan.Groups : 1,
            // The curve's momentum column: the explicit momentum in force (constant unless auto momentum changes it).
            MomentumProbe = () => Server.Momentum,
        };
        Controller = plan.AutoMomentum is { } auto
            ? MomentumController.Attach(Server.Core, d, auto, plan.Groups, plan.Seed, plan.UpdateLimit == long.MaxValue ? 0 : plan.UpdateLimit)
            : null;
        Context = new TrainingContext(plan, Server, Monitor) { Controller = Controller, RunDirectory = runDirectory };
    }

    /// <summary>The plan.</summary>
    public RunPlan Plan { get; }

    /// <summary>The parameter server.</summary>
    public ParameterServer Server { get; }

    /// <summary>The monitor.</summary>
    public RunMonitor Monitor { get; }

    /// <summary>The momentum controller (null with a fixed momentum).</summary>
    public MomentumController? Controller { get; }

    /// <summary>What the backend runs on.</summary>
    public TrainingContext Context { get; }

    /// <summary>Every resume of the run so far (from the checkpoint, plus the one the caller adds).</summary>
    public List<ResumeRecord> Resumes { get; } = [];

    /// <summary>Called once the start is evaluated (or restored), just before the backend runs: where the caller writes its first checkpoint and opens the live run folder.</summary>
    public Action? Starting { get; set; }

    /// <summary>When the run first started (kept across resumes).</summary>
    public DateTime StartedUtc { get; private set; }

    /// <summary>Continues a checkpoint: server state, control series and estimator, batch streams, curve and timers, backend state.</summary>
    public void Restore(CheckpointState st, float[] w, float[] v)
    {
        ArgumentNullException.ThrowIfNull(st);
        if (st.ParameterCount != Plan.Model.ParameterCount)
            throw new ArgumentException($"checkpoint has {st.ParameterCount} parameters but model '{Plan.Model.Name}' on this data has {Plan.Model.ParameterCount}");
        if (st.SamplesDrawn.Length != Plan.Groups)
            throw new ArgumentException($"checkpoint has {st.SamplesDrawn.Length} batch streams but the run has {Plan.Groups} groups");
        Server.SetState(new ServerState(st.Version, st.Momentum, w, v, st.Staleness));
        if (st.MeanSquare is { } ms)
        {
            if (!Plan.StalenessPolicy.NeedsMeanSquare) throw new ArgumentException("--resume: the checkpoint carries the mean square of adaptive delay compensation, but the run has no dc-a policy");
            if (ms.Length != 4 * Plan.Model.ParameterCount) throw new ArgumentException($"--resume: the checkpoint's mean square holds {ms.Length / 4} values for {Plan.Model.ParameterCount} parameters");
            Server.Core.RestoreMeanSquare(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(ms));
        }
        if (Controller is not null && st.AutoMomentumSeries is { } series)
        {
            try { Controller.Restore(series, st.AutoMomentumEstimator); }
            catch (ArgumentException ex) { throw new ArgumentException($"--resume: {ex.Message}"); }
        }
        for (int g = 0; g < Plan.Groups; g++) Context.Samplers[g].FastForward(st.SamplesDrawn[g]);
        Monitor.Restore(st.Curve, st.WallSeconds, st.EvalSeconds, st.Version, st.TargetReachedAt);
        if (st.Backend is System.Text.Json.JsonElement state)
        {
            if (Plan.Backend is not IResumableBackend resumable)
                throw new ArgumentException($"checkpoint carries backend state but backend '{Plan.Backend.Name}' cannot resume it");
            resumable.RestoreState(state, Context);
        }
        StartedUtc = st.StartedUtc;
        Resumes.Clear();
        if (st.Resumes is { } earlier) Resumes.AddRange(earlier);
        _resumed = true;
    }

    /// <summary>
    /// Runs the session to its end: the initial evaluation (not after a resume), the backend until a stop condition or a
    /// failure (recorded, not thrown, except out of memory), then the final evaluation and the test split.
    /// </summary>
    public SessionOutcome Execute()
    {
        var model = Plan.Model;
        var evaluator = Context.CreateEvaluator();
        if (!_resumed)
        {
            Server.Read(evaluator.Parameters);
            Context.EvaluateAndRecord(evaluator.Parameters, 0, evaluator);
        }
        Exception? failure = null;
        Starting?.Invoke();
        Monitor.Start();
        try
        {
            if (!Monitor.ShouldStop) Plan.Backend.Run(Context);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = ex;
            Monitor.RequestStop(RunStatus.Failed, ex.Message);
        }
        Monitor.Halt();

        // Final evaluation on the eval subset (training loss) and on the test split (accuracy). An interrupted run skips
        // both (on a large model they take seconds, and the user asked to stop): its resumed run evaluates at its end.
        var final = Server.GetState();
        if (Monitor.Status == RunStatus.Interrupted)
            return new SessionOutcome(Monitor.Status, Monitor.StopReason, failure, final, NotEvaluated);
        var curve = Monitor.Curve;
        if (curve.Count == 0 || curve[^1].Update != final.Version)
            Context.EvaluateAndRecord(final.W, final.Version, evaluator);
        var test = model.Evaluate(final.W, Plan.Data.Test, Enumerable.Range(0, Plan.Data.Test.Count).ToArray(),
            model.CreateWorkspace(Evaluator.MaxBatch, 0));
        return new SessionOutcome(Monitor.Status, Monitor.StopReason, failure, final, test);
    }

    /// <summary>The test result of a run that stopped before its final evaluation (running, or interrupted): no rows.</summary>
    public static readonly EvaluationResult NotEvaluated = new(double.NaN, 0, 0);

    /// <summary>Plans nothing, writes nothing: runs <paramref name="plan"/> and returns its result (tuning trials, tests).</summary>
    public static TrainingResult Train(RunPlan plan, CancellationToken cancel = default, Action<TrainingContext>? configure = null)
    {
        var session = new TrainingSession(plan, null, cancel);
        configure?.Invoke(session.Context);
        var outcome = session.Execute();
        return new TrainingResult(RunRecordBuilder.Build(session, outcome), outcome.Status, null, outcome.Final.W, outcome.Final.V, outcome.Failure);
    }
}
