using Polyak.Numerics;

namespace Polyak.Optimization;

/// <summary>
/// Closed-loop control of the explicit momentum (<c>--momentum auto[:TARGET]</c>). It watches every update through the
/// online estimator of the total momentum the iterates show (explicit + the momentum asynchrony adds, see
/// <see cref="OnlineMomentumEstimator"/>) and, every <c>Period</c> updates, applies negative feedback toward the target:
/// <code>
///   mu_explicit &lt;- clip(mu_explicit + gamma (mu_target - mu_hat_total), mu_min, mu_max)
/// </code>
/// The total it steers on is the explicit momentum plus a measured implicit momentum, by <see cref="AutoMomentumOptions.Signal"/>:
/// <see cref="MomentumSignal.Staleness"/> (the default) uses the run's own mean staleness s through the queueing model,
/// <c>s / (1 + s)</c>, from the first period on; <see cref="MomentumSignal.Trajectory"/> uses the trajectory fit once the
/// estimator has <see cref="WarmupVersions"/> versions in its moments. The trajectory estimate is derived for memoryless
/// staleness; when the staleness does not look memoryless (<see cref="OnlineMomentumEstimate.StalenessLooksMemoryless"/>:
/// near-constant gradient times on threads make it close to a fixed delay, and the fit then reads anything from 0 to 2.5)
/// or the estimate is outside [0, 1), that period steers on the staleness value and counts it in
/// <see cref="StalenessFallbacks"/>. It is also biased low at high M over the controller's window (measured on the
/// simulator, docs/automatic-configuration.md), which is why it is not the default. Until the first estimate the momentum stays at
/// its start value, the queueing model's prediction <c>target - (1 - 1/g)</c> unless given. Every adjustment (also the
/// skipped ones, with NaN estimate) is recorded in <see cref="Series"/>. Per update it costs the estimator's O(tracked
/// coordinates) and allocates nothing; the estimate itself (a sort) runs once per period.
/// </summary>
public sealed class MomentumController : IUpdateObserver
{
    private readonly UpdateCore _server;
    private readonly OnlineMomentumEstimator _estimator;
    private readonly List<MomentumControlPoint> _series;
    private readonly object _lock = new();
    private double _lastTotal = double.NaN;

    /// <summary>Coordinates the controller's estimator tracks (a seeded sample when the model is larger).</summary>
    public const int TrackedCoordinateCount = 256;

    /// <summary>Creates a controller of <paramref name="core"/>'s momentum toward <paramref name="target"/>.</summary>
    /// <param name="core">The update core whose explicit momentum is set (it must hold the tracked coordinates).</param>
    /// <param name="dimension">Number of parameters of the model (the tracked coordinates are sampled from them).</param>
    /// <param name="options">Gain, bounds and period (validated here: throws <see cref="ArgumentException"/>).</param>
    /// <param name="target">Target total momentum, inside [min, max] of <paramref name="options"/>.</param>
    /// <param name="groups">Number of compute groups (for the start value <c>target - (1 - 1/g)</c>).</param>
    /// <param name="runSeed">The run seed (the estimator's coordinate sample derives from it).</param>
    /// <param name="expectedUpdates">Expected length of the run (sizes the series; 0 = unknown).</param>
    public MomentumController(UpdateCore core, int dimension, AutoMomentumOptions options, double target, int groups, ulong runSeed, long expectedUpdates = 0)
    {
        Validate(options, target);
        if (groups < 1) throw new ArgumentException($"auto momentum: groups must be >= 1, got {groups}");
        _server = core;
        Options = options;
        Target = target;
        // Window of the estimator's moments: about 8 control periods (at least 400 versions).
        double window = Math.Max(400, 8.0 * options.Period);
        _estimator = new OnlineMomentumEstimator(dimension, coordinates: TrackedCoordinateCount, decay: 1 - 1 / window, depth: 1024, seed: EstimatorSeed(runSeed));
        WarmupVersions = options.Signal == MomentumSignal.Staleness ? options.Period : (long)Math.Max(options.Period, window / 2);
        Start = options.Initial ?? Math.Clamp(target - (1 - 1.0 / groups), options.Min, options.Max);
        _server.Momentum = Start;
        int capacity = expectedUpdates > 0 ? (int)Math.Min(1 << 20, expectedUpdates / options.Period + 2) : 64;
        _series = new List<MomentumControlPoint>(capacity);
    }

    /// <summary>
    /// Creates the controller of a run and attaches it to <paramref name="core"/>, so it sees every update whatever the
    /// backend (the local server's core, or a cluster sequencer's core over <see cref="TrackedCoordinates"/>).
    /// </summary>
    public static MomentumController Attach(UpdateCore core, int dimension, AutoMomentumOptions options, int groups, ulong runSeed, long expectedUpdates = 0)
    {
        double target = options.Target ?? throw new ArgumentException("auto momentum: the target total momentum must be known before training (give auto:TARGET, or let the trainer find it)");
        var controller = new MomentumController(core, dimension, options, target, groups, runSeed, expectedUpdates);
        core.Attach(controller);
        return controller;
    }

    /// <summary>The coordinates the controller of a run with <paramref name="dimension"/> parameters and <paramref name="runSeed"/> tracks.</summary>
    public static int[] TrackedCoordinates(int dimension, ulong runSeed) =>
        OnlineMomentumEstimator.TrackedCoordinates(dimension, TrackedCoordinateCount, EstimatorSeed(runSeed));

    private static ulong EstimatorSeed(ulong runSeed) => RandomStream.DeriveSeed(runSeed, 0xA070);

    /// <summary>Gain, bounds and period.</summary>
    public AutoMomentumOptions Options { get; }

    /// <summary>The target total momentum.</summary>
    public double Target { get; }

    /// <summary>The explicit momentum the run started with.</summary>
    public double Start { get; }

    /// <summary>Versions the estimator needs before the first adjustment.</summary>
    public long WarmupVersions { get; }

    /// <summary>The current explicit momentum.</summary>
    public double Explicit => _server.Momentum;

    /// <summary>The latest estimate of the total momentum (NaN before the first one).</summary>
    public double Total { get { lock (_lock) return _lastTotal; } }

    /// <summary>
    /// Control periods that steered on the staleness-based implicit momentum (<see cref="OnlineMomentumEstimate.StalenessImplicit"/>)
    /// because the trajectory estimate did not hold (staleness not memoryless, or the estimate outside [0, 1)).
    /// </summary>
    public int StalenessFallbacks { get { lock (_lock) return Options.Signal == MomentumSignal.Trajectory ? _series.Count(p => p.FromStaleness) : 0; } }

    /// <summary>The estimator the controller reads.</summary>
    public OnlineMomentumEstimator Estimator => _estimator;

    /// <summary>A copy of the control series so far (one point per period).</summary>
    public IReadOnlyList<MomentumControlPoint> Series { get { lock (_lock) return _series.ToArray(); } }

    /// <summary>
    /// Continues a resumed run: its control series (its points come first) and, when the checkpoint carries it, the
    /// estimator's state, so control goes on exactly where it stopped (without it the estimator starts afresh and
    /// the first <see cref="WarmupVersions"/> versions after the resume get no adjustment).
    /// </summary>
    public void Restore(IEnumerable<MomentumControlPoint> points, OnlineMomentumEstimatorState? estimator)
    {
        RestoreSeries(points);
        if (estimator is not null) _estimator.Restore(estimator);
    }

    /// <summary>The controller's state (series and estimator), for checkpoints.</summary>
    public MomentumControllerState GetState() => new([.. Series], _estimator.GetState());

    /// <summary>Continues from <paramref name="state"/> (a checkpoint, or a remote controller's state copied back).</summary>
    public void Restore(MomentumControllerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Restore(state.Series, state.Estimator);
    }

    /// <summary>Continues the series of a resumed run (its points come first).</summary>
    public void RestoreSeries(IEnumerable<MomentumControlPoint> points)
    {
        lock (_lock)
        {
            _series.Clear();
            _series.AddRange(points);
            var last = _series.LastOrDefault(p => double.IsFinite(p.Total));
            if (double.IsFinite(last.Total)) _lastTotal = last.Total;
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting (gain, bounds, period, target).</summary>
    public static void Validate(AutoMomentumOptions options, double? target)
    {
        if (!(options.Gain > 0 && options.Gain <= 1)) throw new ArgumentException($"auto momentum: gain gamma must be in (0, 1], got {options.Gain}");
        if (!(Momentum.IsValid(options.Min) && Momentum.IsValid(options.Max) && options.Min < options.Max))
            throw new ArgumentException($"auto momentum: bounds must satisfy -1 < min < max < 1, got [{options.Min}, {options.Max}]");
        if (options.Period < 1) throw new ArgumentException($"auto momentum: period must be >= 1 update, got {options.Period}");
        if (target is double t && !(t >= options.Min && t <= options.Max))
            throw new ArgumentException($"--momentum auto:{t}: the target total momentum is outside the momentum bounds [{options.Min}, {options.Max}]");
        if (options.Initial is double s && !(s >= options.Min && s <= options.Max))
            throw new ArgumentException($"auto momentum: start value {s} is outside the momentum bounds [{options.Min}, {options.Max}]");
    }

    /// <inheritdoc/>
    public void OnUpdate(in AppliedUpdate update)
    {
        _estimator.OnUpdate(update);
        if (update.Version % Options.Period == 0) Adjust(update.Version);
    }

    private void Adjust(long version)
    {
        double mu = _server.Momentum;
        double total = double.NaN, implicitMomentum = double.NaN;
        bool fromStaleness = false;
        bool trajectory = Options.Signal == MomentumSignal.Trajectory;
        bool trajectoryReady = trajectory && _estimator.Processed >= WarmupVersions;
        // The staleness statistics need only updates (the default signal steers from the first period on); the trajectory
        // fit needs versions whose fresh gradients arrived, and on threads a version no worker read stalls it for up to the
        // estimator's depth (it may stay empty for 1000s of updates).
        if (!trajectory || trajectoryReady || version >= WarmupVersions)
        {
            var e = _estimator.Estimate();
            if (trajectoryReady)
            {
                implicitMomentum = e.Implicit;
                total = e.Total;
            }
            // Under the trajectory signal: the staleness is not memoryless (e.g. near-constant gradient times on threads)
            // or the fit is outside what asynchrony can add, so steer on the queueing model's value instead.
            bool useStaleness = !trajectory || (trajectoryReady ? !e.TrajectoryEstimateHolds : !e.StalenessLooksMemoryless);
            if (useStaleness && double.IsFinite(e.StalenessImplicit))
            {
                implicitMomentum = e.StalenessImplicit;
                total = e.ExplicitMomentum + implicitMomentum;
                fromStaleness = true;
            }
        }
        if (double.IsFinite(total))
        {
            mu = Math.Clamp(mu + Options.Gain * (Target - total), Options.Min, Options.Max);
            _server.Momentum = mu;
        }
        lock (_lock)
        {
            if (double.IsFinite(total)) _lastTotal = total;
            _series.Add(new MomentumControlPoint(version, mu, total, implicitMomentum, fromStaleness));
        }
    }
}
