namespace Polyak.Optimization;

/// <summary>
/// The update core of the parameter server (DESIGN section 1), the one place the update rule and its bookkeeping live.
/// It owns, for the coordinates in <see cref="Coordinates"/>, the parameters <c>w</c> and the previous step <c>v</c>, and
/// for the whole server the version counter, the explicit momentum, the weight decay, the learning-rate schedule and
/// the staleness histogram. Every update <c>t</c> computed on the parameters of version <c>r</c> does
/// <code>
///   check 0 &lt;= r &lt;= t;  tau = t - r;  alpha_t = schedule(t)
///   v = mu v - alpha_t (g + lambda w);  w = w + v        (HeavyBall.Step, one fused pass over the owned coordinates)
///   record tau; tell the observers; version = t + 1
/// </code>
/// Momentum convention: Polyak's heavy ball with the learning rate inside the step, <c>v_{t+1} = mu v_t - alpha g_t</c>,
/// <c>w_{t+1} = w_t + v_{t+1}</c>, so <c>v</c> is exactly the last step. PyTorch's <c>SGD(momentum=mu)</c> keeps the
/// learning rate outside (<c>b = mu b + g; w = w - alpha b</c>): the iterates are the same for a constant rate, and
/// differ when the rate changes (Polyak's past steps keep the rate they were taken with).
/// <para>Not thread-safe by itself: <see cref="Apply"/> is the whole step for one caller at a time (the atomic
/// discipline's lock, the simulator's event loop, a cluster shard's grain turn). The Hogwild discipline uses the parts:
/// <see cref="TakeTicket"/>, <see cref="PrepareAt"/>, <see cref="Step"/> racing, then <see cref="Record"/> serialised (its
/// observers then see updates in the order they finish, not in version order, and a step buffer other updates race on).
/// A cluster's sequencer uses <see cref="TryPrepare"/>, lets the shards step, then <see cref="Step"/> on the coordinates it
/// holds, <see cref="Advance"/> and <see cref="Record"/>. Its state is the plain value <see cref="ServerState"/> (<see cref="GetState"/>, <see cref="SetState"/>).</para>
/// </summary>
public sealed class UpdateCore
{
    private readonly float[] _w;
    private readonly float[] _v;
    private readonly object _observersLock = new();
    private IUpdateObserver[] _observers = [];
    private long _version;
    private double _momentum;
    private float[]? _compensated;
    private float[]? _meanSquare;
    private long _dropped;

    /// <summary>
    /// Creates a core from <paramref name="state"/> (copied) over <paramref name="coordinates"/> (null = the range
    /// [0, state.W.Length)); throws <see cref="ArgumentException"/> for a bad momentum, weight decay or state.
    /// </summary>
    public UpdateCore(ServerState state, double weightDecay, LearningRateSchedule schedule, CoordinateSet? coordinates = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(schedule);
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
            throw new ArgumentOutOfRangeException(null, $"weight decay must be a finite number >= 0, got {weightDecay}");
        Coordinates = coordinates ?? CoordinateSet.Range(0, state.W.Length);
        _w = new float[Coordinates.Count];
        _v = new float[Coordinates.Count];
        WeightDecay = weightDecay;
        Schedule = schedule;
        SetState(state);
    }

    /// <summary>Which coordinates of the parameter vector this core holds.</summary>
    public CoordinateSet Coordinates { get; }

    /// <summary>Number of coordinates held.</summary>
    public int Length => _w.Length;

    /// <summary>Updates applied so far (under Hogwild: update numbers handed out, updates still racing included).</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>The explicit momentum mu in (-1, 1) used by the next update; closed-loop control may change it while training.</summary>
    public double Momentum
    {
        get => Volatile.Read(ref _momentum);
        set => Volatile.Write(ref _momentum, Optimization.Momentum.Validate(value));
    }

    /// <summary>Weight decay lambda >= 0.</summary>
    public double WeightDecay { get; }

    /// <summary>The learning-rate schedule alpha_t.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>The server-side staleness policy (<see cref="StalenessPolicy.None"/> by default).</summary>
    public StalenessPolicy Policy { get; init; } = StalenessPolicy.None;

    /// <summary>Updates dropped by a <c>drop</c> policy since this core was created (not part of the state).</summary>
    public long DroppedUpdates => Interlocked.Read(ref _dropped);

    /// <summary>The staleness of every recorded update.</summary>
    public StalenessHistogram Staleness { get; private set; } = new();

    /// <summary>The parameters held (not synchronised: the caller guards reads that race with updates).</summary>
    public ReadOnlySpan<float> W => _w;

    /// <summary>The previous step held (not synchronised).</summary>
    public ReadOnlySpan<float> V => _v;

    /// <summary>Adds an observer that sees every update recorded from now on.</summary>
    public void Attach(IUpdateObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_observersLock) _observers = [.. _observers, observer];
    }

    /// <summary>Removes an observer (no-op when it is not attached).</summary>
    public void Detach(IUpdateObserver observer)
    {
        lock (_observersLock) _observers = _observers.Where(o => !ReferenceEquals(o, observer)).ToArray();
    }

    /// <summary>The observers attached.</summary>
    public IReadOnlyList<IUpdateObserver> Observers => Volatile.Read(ref _observers);

    /// <summary>
    /// The whole DESIGN step for a gradient computed on the parameters of <paramref name="readVersion"/>; returns its
    /// staleness. <paramref name="readParameters"/> (those parameters, over the coordinates held) is needed by a
    /// delay-compensation policy only.
    /// </summary>
    public long Apply(ReadOnlySpan<float> gradient, long readVersion, ReadOnlySpan<float> readParameters = default)
    {
        var step = Prepare(readVersion);
        if (Policy.Drops(step.Staleness))
        {
            Drop(step);
            return step.Staleness;
        }
        if (Policy.NeedsReadParameters)
        {
            if (readParameters.Length != _w.Length)
                throw new ArgumentException($"delay compensation needs the {_w.Length} parameters the gradient was computed on, got {readParameters.Length}");
            _compensated ??= new float[_w.Length];
            if (Policy.NeedsMeanSquare)
            {
                _meanSquare ??= new float[_w.Length];
                Policy.CompensateAdaptive(gradient, _w, readParameters, _meanSquare, _compensated);
            }
            else Policy.Compensate(gradient, _w, readParameters, _compensated);
            gradient = _compensated;
        }
        Step(step, gradient);
        // The version moves with w and v before anyone is told: an observer that throws cannot leave them out of step.
        Advance(step);
        Record(step, gradient);
        return step.Staleness;
    }

    /// <summary>The next update (number <see cref="Version"/>) for a gradient read at <paramref name="readVersion"/>; throws when that version is not in [0, Version].</summary>
    public UpdateStep Prepare(long readVersion) => PrepareAt(Version, readVersion);

    /// <summary>As <see cref="Prepare"/>, but false instead of an exception when <paramref name="readVersion"/> is not in [0, Version].</summary>
    public bool TryPrepare(long readVersion, out UpdateStep step)
    {
        long t = Version;
        if (readVersion < 0 || readVersion > t)
        {
            step = default;
            return false;
        }
        step = Make(t, readVersion);
        return true;
    }

    /// <summary>Update number <paramref name="t"/> (a Hogwild ticket) for a gradient read at <paramref name="readVersion"/>.</summary>
    public UpdateStep PrepareAt(long t, long readVersion)
    {
        if (readVersion < 0 || readVersion > t)
            throw new ArgumentOutOfRangeException(nameof(readVersion), readVersion, $"read version must be in [0, {t}]");
        return Make(t, readVersion);
    }

    private UpdateStep Make(long t, long readVersion) => new(t, readVersion, Policy.Alpha(Schedule.At(t), t - readVersion), Momentum, WeightDecay);

    /// <summary>Applies the heavy-ball step of <paramref name="step"/> to the coordinates held (<paramref name="gradient"/> over the same coordinates).</summary>
    public void Step(in UpdateStep step, ReadOnlySpan<float> gradient)
    {
        if (gradient.Length != _w.Length) throw new ArgumentException($"expected a gradient over {_w.Length} coordinates, got {gradient.Length}");
        HeavyBall.Step(_w, _v, gradient, (float)step.Mu, (float)step.Alpha, (float)step.Lambda);
    }

    /// <summary>Records the staleness of <paramref name="step"/> and tells every observer (call once per update, serialised).</summary>
    public void Record(in UpdateStep step, ReadOnlySpan<float> gradient)
    {
        Staleness.Add(step.Staleness);
        var observers = Volatile.Read(ref _observers);
        if (observers.Length == 0) return;
        var update = new AppliedUpdate(step.Version, step.Staleness, step.Alpha, step.Mu, _v, gradient, Coordinates);
        foreach (var o in observers) o.OnUpdate(update);
    }

    /// <summary>Consumes <paramref name="step"/> as a dropped update: it takes its version and its staleness is recorded; w and v do not change and nobody is told.</summary>
    public void Drop(in UpdateStep step)
    {
        Advance(step);
        Staleness.Add(step.Staleness);
        Interlocked.Increment(ref _dropped);
    }

    /// <summary>Sets the count of dropped updates (a backend whose server ran elsewhere copies its count back).</summary>
    public void RestoreDroppedUpdates(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Interlocked.Exchange(ref _dropped, count);
    }

    /// <summary>Makes <paramref name="step"/> the latest applied update (version = T + 1).</summary>
    public void Advance(in UpdateStep step) => Volatile.Write(ref _version, step.T + 1);

    /// <summary>Hogwild: takes the next update number atomically (the version counts tickets; no lock).</summary>
    public long TakeTicket() => Interlocked.Increment(ref _version) - 1;

    /// <summary>DC-ASGD-a's per-coordinate mean square of the gradient (a copy; null for the other policies or before any update).</summary>
    public float[]? MeanSquare => _meanSquare?.ToArray();

    /// <summary>Restores DC-ASGD-a's mean square (a resumed run); throws <see cref="ArgumentException"/> on a length mismatch.</summary>
    public void RestoreMeanSquare(ReadOnlySpan<float> meanSquare)
    {
        if (meanSquare.Length != _w.Length) throw new ArgumentException($"adaptive delay compensation: mean square of {meanSquare.Length} values, the core holds {_w.Length}");
        _meanSquare = meanSquare.ToArray();
    }

    /// <summary>A copy of the state (not synchronised: call between updates).</summary>
    public ServerState GetState() => new(Version, Momentum, _w.ToArray(), _v.ToArray(), Staleness.ToArray());

    /// <summary>Replaces the state (start, resume, rollback; not while updates are applied).</summary>
    public void SetState(ServerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Validate(_w.Length);
        state.W.CopyTo(_w, 0);
        state.V.CopyTo(_v, 0);
        Staleness = StalenessHistogram.FromCounts(state.Staleness);
        Volatile.Write(ref _momentum, state.Momentum);
        Volatile.Write(ref _version, state.Version);
    }
}
