using Polyak.Optimization;

namespace Polyak.Execution;

/// <summary>
/// The parameter server of DESIGN section 1: holds <c>w</c> and the previous step <c>v = w_t - w_{t-1}</c>,
/// applies heavy-ball updates <c>v = mu v - alpha_t (g + lambda w); w = w + v</c> in arrival order,
/// counts versions and records the staleness <c>tau = version_at_apply - version_read</c> of every update.
/// </summary>
public sealed class ParameterServer
{
    private readonly float[] _w;
    private readonly float[] _v;
    private readonly object _lock = new();
    private readonly object _statsLock = new();
    private long _version;
    private double _momentum;

    /// <summary>Creates a server holding a copy of <paramref name="initial"/> with zero momentum buffer.</summary>
    public ParameterServer(ReadOnlySpan<float> initial, double momentum, double weightDecay,
        LearningRateSchedule schedule, UpdateDiscipline discipline)
    {
        ValidateMomentum(momentum);
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be a finite number >= 0");
        _w = initial.ToArray();
        _v = new float[_w.Length];
        _momentum = momentum;
        WeightDecay = weightDecay;
        Schedule = schedule;
        Discipline = discipline;
    }

    /// <summary>Number of parameters.</summary>
    public int Dimension => _w.Length;

    /// <summary>Number of updates applied so far.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>The explicit momentum mu in (-1, 1); may be changed while training (closed-loop control).</summary>
    public double Momentum
    {
        get => Volatile.Read(ref _momentum);
        set { ValidateMomentum(value); Volatile.Write(ref _momentum, value); }
    }

    /// <summary>Weight decay lambda.</summary>
    public double WeightDecay { get; }

    /// <summary>Learning-rate schedule alpha_t.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>Atomic or Hogwild.</summary>
    public UpdateDiscipline Discipline { get; }

    /// <summary>Staleness of every applied update.</summary>
    public StalenessHistogram Staleness { get; private set; } = new();

    /// <summary>Optional observer called after every update.</summary>
    public IUpdateObserver? Observer { get; set; }

    /// <summary>
    /// Copies the current parameters into <paramref name="destination"/> and returns the version they belong to.
    /// Atomic: a consistent snapshot. Hogwild: racing with concurrent updates.
    /// </summary>
    public long Read(Span<float> destination)
    {
        CheckLength(destination.Length);
        if (Discipline == UpdateDiscipline.Atomic)
        {
            lock (_lock)
            {
                _w.AsSpan().CopyTo(destination);
                return _version;
            }
        }
        long version = Volatile.Read(ref _version);
        _w.AsSpan().CopyTo(destination);
        return version;
    }

    /// <summary>
    /// Applies one update computed from parameters read at <paramref name="readVersion"/>; returns its staleness.
    /// </summary>
    public long Apply(ReadOnlySpan<float> gradient, long readVersion)
    {
        CheckLength(gradient.Length);
        if (Discipline == UpdateDiscipline.Atomic)
        {
            lock (_lock)
            {
                long t = _version;
                if (readVersion < 0 || readVersion > t)
                    throw new ArgumentOutOfRangeException(nameof(readVersion), readVersion, $"read version must be in [0, {t}]");
                double alpha = Schedule.At(t);
                double mu = _momentum;
                HeavyBall.Step(_w, _v, gradient, (float)mu, (float)alpha, (float)WeightDecay);
                long tau = t - readVersion;
                Staleness.Add(tau);
                Observer?.OnUpdate(t + 1, tau, _v, gradient, alpha, mu);
                Volatile.Write(ref _version, t + 1);
                return tau;
            }
        }
        else
        {
            // Hogwild: take a ticket (the version this update is assigned), then race coordinate-wise.
            long t = Interlocked.Increment(ref _version) - 1;
            if (readVersion < 0 || readVersion > t)
                throw new ArgumentOutOfRangeException(nameof(readVersion), readVersion, $"read version must be in [0, {t}]");
            double alpha = Schedule.At(t);
            double mu = Volatile.Read(ref _momentum);
            HeavyBall.Step(_w, _v, gradient, (float)mu, (float)alpha, (float)WeightDecay);
            long tau = t - readVersion;
            lock (_statsLock)
            {
                Staleness.Add(tau);
                Observer?.OnUpdate(t + 1, tau, _v, gradient, alpha, mu);
            }
            return tau;
        }
    }

    /// <summary>A consistent copy of w, v and the version (takes the lock in both disciplines).</summary>
    public long Snapshot(Span<float> w, Span<float> v)
    {
        CheckLength(w.Length);
        CheckLength(v.Length);
        lock (_lock)
        {
            lock (_statsLock)
            {
                _w.AsSpan().CopyTo(w);
                _v.AsSpan().CopyTo(v);
                return Volatile.Read(ref _version);
            }
        }
    }

    /// <summary>Restores w, v, version and staleness (from a checkpoint). Not for use while training.</summary>
    public void Restore(ReadOnlySpan<float> w, ReadOnlySpan<float> v, long version, StalenessHistogram staleness)
    {
        CheckLength(w.Length);
        CheckLength(v.Length);
        if (version < 0) throw new ArgumentOutOfRangeException(nameof(version));
        lock (_lock)
        {
            w.CopyTo(_w);
            v.CopyTo(_v);
            _version = version;
            Staleness = staleness;
        }
    }

    /// <summary>Throws unless mu is in (-1, 1).</summary>
    public static void ValidateMomentum(double mu)
    {
        if (!(mu > -1 && mu < 1))
            throw new ArgumentOutOfRangeException(nameof(mu), mu, "momentum must be in (-1, 1)");
    }

    private void CheckLength(int n)
    {
        if (n != _w.Length) throw new ArgumentException($"expected a vector of {_w.Length} parameters, got {n}");
    }
}
