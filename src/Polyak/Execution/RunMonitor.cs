using System.Diagnostics;
using System.Globalization;
using Polyak.Models;

namespace Polyak.Execution;

/// <summary>
/// Watches a run while it trains, for every backend: decides when to evaluate and when to stop (update, epoch,
/// time and target-loss limits, divergence, interruption), collects the loss curve, and reports progress.
/// Thread-safe: workers call it after each update they apply.
/// </summary>
public sealed class RunMonitor
{
    private readonly object _lock = new();
    private readonly List<EvalPoint> _curve = [];
    private readonly Stopwatch _wall = new();
    private readonly CancellationToken _cancel;
    private volatile bool _stop;
    private RunStatus _status = RunStatus.Completed;
    private string? _reason;
    private long _evalTicks;
    private double _batchLossEma = double.NaN;
    private double _initialLoss = double.NaN;
    private long _lastProgressTicks;

    /// <summary>Creates a monitor for a run with the given limits.</summary>
    public RunMonitor(long updateLimit, double? timeLimitSeconds, double? targetLoss, double divergenceFactor,
        int evalEvery, IProgress<ProgressReport>? progress, CancellationToken cancel)
    {
        UpdateLimit = updateLimit;
        TimeLimitSeconds = timeLimitSeconds;
        TargetLoss = targetLoss;
        DivergenceFactor = divergenceFactor;
        EvalEvery = Math.Max(1, evalEvery);
        Evaluation = new EvaluationSchedule(EvalEvery, updateLimit);
        Progress = progress;
        _cancel = cancel;
    }

    private long _reserved;

    /// <summary>
    /// Reserves the right to push one more update; false once the update limit is reached (the caller then
    /// drops its gradient and stops), so a run never applies more than <see cref="UpdateLimit"/> updates.
    /// </summary>
    public bool TryReserveUpdate()
    {
        if (Interlocked.Increment(ref _reserved) <= UpdateLimit) return true;
        RequestStop(RunStatus.Completed, UpdateLimitReason);
        return false;
    }

    /// <summary>Sets the number of updates already applied (when resuming).</summary>
    public void SetAppliedUpdates(long applied) => Interlocked.Exchange(ref _reserved, applied);

    /// <summary>Maximum number of updates (long.MaxValue when unlimited).</summary>
    public long UpdateLimit { get; }

    /// <summary>The number of epochs <see cref="UpdateLimit"/> stands for when the limit came from an epoch budget (<c>--epochs</c>), else null.</summary>
    public double? EpochLimit { get; init; }

    /// <summary>The stop reason when the update limit is reached, naming the epoch budget when the limit came from one.</summary>
    public string UpdateLimitReason => EpochLimit is double e
        ? string.Create(CultureInfo.InvariantCulture, $"reached the epoch limit ({e:G6} epochs = {UpdateLimit} updates)")
        : $"reached the update limit ({UpdateLimit})";

    /// <summary>Time limit in seconds (simulated seconds when a simulated clock is set), if any.</summary>
    public double? TimeLimitSeconds { get; }

    /// <summary>Target evaluation loss, if any.</summary>
    public double? TargetLoss { get; }

    /// <summary>Divergence threshold as a multiple of the initial loss.</summary>
    public double DivergenceFactor { get; }

    /// <summary>Evaluation period in updates.</summary>
    public int EvalEvery { get; }

    /// <summary>When the run evaluates (the one rule every backend uses).</summary>
    public EvaluationSchedule Evaluation { get; }

    /// <summary>Progress sink (may be null).</summary>
    public IProgress<ProgressReport>? Progress { get; }

    /// <summary>The simulated clock, set by the simulated backend.</summary>
    public Func<double>? SimulatedClock { get; set; }

    /// <summary>
    /// Called with every evaluation recorded (the live run folder appends it); its time counts as evaluation time, so
    /// throughput stays that of training alone.
    /// </summary>
    public Action<EvalPoint>? Evaluated { get; set; }

    /// <summary>Current momentum, for the curve (set by the closed-loop controller).</summary>
    public Func<double>? MomentumProbe { get; set; }

    /// <summary>True once any stop condition fired.</summary>
    public bool ShouldStop => _stop || CheckExternal();

    /// <summary>
    /// The user's interruption: the backends give it to their members' workspaces, so a long step stops between layers
    /// or chunks of rows (an <see cref="OperationCanceledException"/> the backend treats as a stop, see <see cref="ShouldStop"/>).
    /// </summary>
    public CancellationToken Cancellation => _cancel;

    /// <summary>How the run ended so far.</summary>
    public RunStatus Status { get { lock (_lock) return _status; } }

    /// <summary>Why the run stopped (human-readable), if it did.</summary>
    public string? StopReason { get { lock (_lock) return _reason; } }

    /// <summary>Update at which the target was first reached, if it was.</summary>
    public long? TargetReachedAt { get; private set; }

    /// <summary>Stop once the held-out accuracy reaches this fraction (null: no accuracy target).</summary>
    public double? TargetAccuracy { get; init; }

    /// <summary>Evaluations running at once (the groups on threads and the cluster, 1 on the simulator): their summed time over this is the wall time excluded.</summary>
    public int ParallelEvaluators { get; init; } = 1;

    /// <summary>Training seconds when the target was reached (wall minus the evaluations' wall time), if it was in this session.</summary>
    public double? TargetReachedSeconds { get; private set; }

    /// <summary>Simulated seconds when the target was reached, on the simulator.</summary>
    public double? TargetReachedSimulatedSeconds { get; private set; }

    /// <summary>Wall seconds of training alone: <see cref="WallSeconds"/> minus the evaluations' wall time.</summary>
    public double TrainingSeconds => WallSeconds - EvalSeconds / Math.Max(1, ParallelEvaluators);

    private double _wallOffset;

    /// <summary>Training wall seconds (including time before a resume).</summary>
    public double WallSeconds => _wallOffset + _wall.Elapsed.TotalSeconds;

    /// <summary>Restores what a checkpoint remembers: the curve, timers, applied updates and target.</summary>
    public void Restore(IEnumerable<EvalPoint> curve, double wallSeconds, double evalSeconds, long appliedUpdates, long? targetReachedAt)
    {
        lock (_lock)
        {
            _curve.Clear();
            _curve.AddRange(curve);
            var first = _curve.OrderBy(p => p.Update).FirstOrDefault();
            if (first is not null && first.Update == 0) _initialLoss = first.Loss;
            _wallOffset = wallSeconds;
            _evalTicks = TimeSpan.FromSeconds(evalSeconds).Ticks;
            TargetReachedAt = targetReachedAt;
        }
        SetAppliedUpdates(appliedUpdates);
    }

    /// <summary>When periodic checkpoints are written (<see cref="CheckpointPolicy.None"/>: none during training).</summary>
    public CheckpointPolicy Checkpoints { get; init; } = CheckpointPolicy.None;

    private long _lastCheckpointTicks;

    /// <summary>
    /// True when a periodic checkpoint is due after update <paramref name="version"/> (a multiple of the update period, or
    /// the time period elapsed since the last one); the caller writes it and calls <see cref="CheckpointWritten"/>.
    /// </summary>
    public bool CheckpointDue(long version)
    {
        if (version >= UpdateLimit || !Checkpoints.Periodic) return false;
        if (Checkpoints.EveryUpdates > 0 && version % Checkpoints.EveryUpdates == 0) return true;
        return Checkpoints.EverySeconds > 0
            && Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastCheckpointTicks)).TotalSeconds >= Checkpoints.EverySeconds;
    }

    /// <summary>Records that a checkpoint was just written (the time rule counts from here).</summary>
    public void CheckpointWritten() => Interlocked.Exchange(ref _lastCheckpointTicks, Stopwatch.GetTimestamp());

    /// <summary>
    /// Wall seconds spent in evaluations while training ran (summed over threads); the evaluations before the clock
    /// starts and after it stops (initial and final) are not in <see cref="WallSeconds"/> and not counted here either.
    /// </summary>
    public double EvalSeconds => TimeSpan.FromTicks(Interlocked.Read(ref _evalTicks)).TotalSeconds;

    /// <summary>Loss at the first evaluation.</summary>
    public double InitialLoss { get { lock (_lock) return _initialLoss; } }

    /// <summary>Exponential moving average of the mini-batch loss.</summary>
    public double BatchLossAverage { get { lock (_lock) return _batchLossEma; } }

    /// <summary>Starts the wall clock.</summary>
    public void Start()
    {
        _wall.Start();
        if (Interlocked.Read(ref _lastCheckpointTicks) == 0) CheckpointWritten();
    }

    /// <summary>Stops the wall clock.</summary>
    public void Halt() => _wall.Stop();

    /// <summary>The loss curve so far, ordered by update.</summary>
    public IReadOnlyList<EvalPoint> Curve
    {
        get { lock (_lock) return _curve.OrderBy(p => p.Update).ToList(); }
    }

    /// <summary>Requests a stop with the given status (the first request wins, except that failures override).</summary>
    public void RequestStop(RunStatus status, string reason)
    {
        lock (_lock)
        {
            if (!_stop || status is RunStatus.Diverged or RunStatus.Failed)
            {
                if (!_stop || _status is RunStatus.Completed or RunStatus.ReachedTarget)
                {
                    _status = status;
                    _reason = reason;
                }
            }
            _stop = true;
        }
    }

    /// <summary>
    /// Called by the thread that applied update number <paramref name="version"/> (the new version) with the
    /// mini-batch loss of that update. Returns true when this thread should evaluate now.
    /// </summary>
    public bool OnApplied(long version, double batchLoss)
    {
        if (!double.IsFinite(batchLoss))
        {
            RequestStop(RunStatus.Diverged, $"mini-batch loss became {batchLoss} at update {version}");
            return false;
        }
        lock (_lock)
        {
            _batchLossEma = double.IsNaN(_batchLossEma) ? batchLoss : 0.95 * _batchLossEma + 0.05 * batchLoss;
        }
        bool evaluate = Evaluation.IsDue(version); // never at the limit: the trainer evaluates the final parameters
        if (version >= UpdateLimit) RequestStop(RunStatus.Completed, UpdateLimitReason);
        CheckExternal();
        MaybeReportProgress(version);
        return evaluate;
    }

    /// <summary>
    /// Records an evaluation at <paramref name="version"/> that took <paramref name="elapsed"/>; <paramref name="momentum"/>
    /// is the explicit momentum in force then when the backend knows it (a cluster's), else <see cref="MomentumProbe"/> is read.
    /// </summary>
    public void RecordEvaluation(long version, EvaluationResult result, bool isClassifier, TimeSpan elapsed, double? momentum = null,
        EvaluationResult? heldOut = null)
    {
        if (_wall.IsRunning) Interlocked.Add(ref _evalTicks, elapsed.Ticks);
        double? simulated = SimulatedClock?.Invoke();
        var point = new EvalPoint(version, WallSeconds, simulated, result.Loss,
            isClassifier ? result.Accuracy : null, momentum ?? MomentumProbe?.Invoke() ?? double.NaN)
        {
            HeldOutAccuracy = heldOut?.Accuracy,
            ExcludedSeconds = TargetAccuracy is null ? null : EvalSeconds / Math.Max(1, ParallelEvaluators),
        };
        bool report;
        lock (_lock)
        {
            _curve.Add(point);
            if (double.IsNaN(_initialLoss) && version == 0) _initialLoss = result.Loss;
            report = true;
        }
        if (!double.IsFinite(result.Loss))
            RequestStop(RunStatus.Diverged, $"evaluation loss became {result.Loss} at update {version}");
        else if (!double.IsNaN(InitialLoss) && result.Loss > DivergenceFactor * Math.Max(InitialLoss, 1e-3))
            RequestStop(RunStatus.Diverged, $"evaluation loss {result.Loss:G4} at update {version} exceeds {DivergenceFactor}x the initial loss {InitialLoss:G4}");
        else if (TargetLoss is double target && result.Loss <= target)
        {
            lock (_lock)
            {
                if (TargetReachedAt is null || version < TargetReachedAt) TargetReachedAt = version;
            }
            RequestStop(RunStatus.ReachedTarget, $"evaluation loss {result.Loss:G4} <= target {target} at update {version}");
        }
        else if (TargetAccuracy is double accuracyTarget && heldOut is { } h && h.Accuracy >= accuracyTarget)
        {
            lock (_lock)
            {
                if (TargetReachedAt is null || version < TargetReachedAt)
                {
                    TargetReachedAt = version;
                    TargetReachedSeconds = TrainingSeconds;
                    TargetReachedSimulatedSeconds = simulated;
                }
            }
            RequestStop(RunStatus.ReachedTarget, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"held-out accuracy {h.Accuracy:P2} >= target {accuracyTarget:P2} at update {version}"));
        }
        if (Evaluated is { } evaluated)
        {
            long start = Stopwatch.GetTimestamp();
            evaluated(point);
            if (_wall.IsRunning) Interlocked.Add(ref _evalTicks, Stopwatch.GetElapsedTime(start).Ticks);
        }
        if (report) Progress?.Report(new ProgressReport(version, UpdateLimit, WallSeconds, SimulatedClock?.Invoke(), result.Loss,
            isClassifier ? result.Accuracy : null, BatchLossAverage, point.Momentum, true));
    }

    private bool CheckExternal()
    {
        if (_stop) return true;
        if (_cancel.IsCancellationRequested)
        {
            RequestStop(RunStatus.Interrupted, "interrupted by the user");
            return true;
        }
        if (TimeLimitSeconds is double limit)
        {
            double now = SimulatedClock?.Invoke() ?? WallSeconds;
            if (now >= limit)
            {
                RequestStop(RunStatus.Completed, $"reached the time limit ({limit} s{(SimulatedClock is null ? "" : " simulated")})");
                return true;
            }
        }
        return false;
    }

    private void MaybeReportProgress(long version)
    {
        if (Progress is null) return;
        long now = _wall.ElapsedTicks;
        long last = Interlocked.Read(ref _lastProgressTicks);
        if (now - last < Stopwatch.Frequency / 2) return;
        if (Interlocked.CompareExchange(ref _lastProgressTicks, now, last) != last) return;
        Progress.Report(new ProgressReport(version, UpdateLimit, WallSeconds, SimulatedClock?.Invoke(), double.NaN, null,
            BatchLossAverage, MomentumProbe?.Invoke() ?? double.NaN, false));
    }
}
