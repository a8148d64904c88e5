using Polyak.Numerics;

namespace Polyak.Optimization;

/// <summary>
/// Online, per-run estimate of the momentum that asynchrony adds (implicit momentum q_hat, theory 1 - 1/M) and of the
/// total momentum <c>mu_e + q_hat</c>, usable while training (docs/simulator-and-theory.md derives it). The server applies
/// <c>s_{t} = mu_e s_{t-1} + x_t</c> with <c>x_t = -alpha_t g_t</c>, g_t the gradient a group computed on the version it
/// read. Under the queueing model the gradient part obeys, whatever mu_e,
/// <code>
///   x_{t+2} = q x_{t+1} - a f_{t+1} + (e_{t+2} - e_{t+1}),    q = 1 - 1/M,  a = alpha / M
/// </code>
/// where f_p is the fresh gradient at w_p (the gradient computed on the parameters read at version p, which arrives with
/// that group's update, staleness later, and is filed under p, averaged if several groups read p) and e_t = x_t minus
/// its conditional mean. So, per version p in order, once x_p, x_{p+1}, x_{p+2}, f_p, f_{p+1} are known, it adds to
/// exponentially weighted moments (decay <see cref="Decay"/>) the instrumental-variable equations of that recursion with
/// instruments (x_p, f_p): known at version p, hence orthogonal to e_{p+2} - e_{p+1} (plain least squares would be
/// biased toward 0 because x_{p+1} contains e_{p+1}). Each tracked coordinate i solves its 2x2 system for (q_i, a_i);
/// the estimate is the median over coordinates, with a distribution-free 95% interval from order statistics; the pooled
/// solution over all tracked coordinates is reported too.
/// Why not the ratio <c>(A + alpha C) / (A - B)</c> of moving averages of the step, the second difference and the
/// <em>applied</em> gradient: the server applies <c>s_{t+1} = mu_e s_t - alpha g_t</c> exactly, so that ratio is identically
/// the explicit momentum mu_e and cannot see asynchrony (it is kept as <see cref="OnlineMomentumEstimate.ExplicitRatio"/>,
/// a consistency check); with the fresh gradient in C it would need the unknown alpha_T and is 0/0 near a quasi-static drift.
/// At most <see cref="Coordinates"/> coordinates are tracked (a fixed seeded sample), so memory is
/// O(<see cref="Depth"/> x coordinates) whatever the model size; an update costs O(coordinates) and allocates nothing.
/// </summary>
public sealed class OnlineMomentumEstimator : IUpdateObserver
{
    private readonly int[] _coords;
    private readonly int _k;
    private readonly int _mask;
    private readonly float[] _steps;
    private readonly long[] _stepTag;
    private readonly float[] _grads;
    private readonly long[] _gradTag;
    private readonly int[] _gradCount;
    private readonly double[] _m; // per coordinate: zx11, zx12, zx21, zx22, zy1, zy2
    private readonly double[] _pooled = new double[6];
    private readonly double[] _ratio; // per coordinate: A, B, C (applied gradient, alpha-weighted)
    private readonly double[] _scratch;
    private readonly float[] _previousStep;
    private readonly object _lock = new();
    private CoordinateSet? _bound;
    private int[] _local = [];
    private long _next;
    private long _latest;
    private long _processed;
    private double _stalenessSum, _stalenessWeight, _freshSum, _onceSum;
    private double _lastAlpha, _lastMomentum;

    /// <summary>Creates an estimator for <paramref name="dimension"/> parameters.</summary>
    /// <param name="dimension">Number of parameters of the model.</param>
    /// <param name="coordinates">Largest number of coordinates tracked (a seeded sample when the model is larger).</param>
    /// <param name="decay">Per-version decay of the moving moments, in (0, 1]; 1 = plain sums.</param>
    /// <param name="depth">Versions kept waiting for late gradients (rounded up to a power of two).</param>
    /// <param name="seed">Seed of the coordinate sample.</param>
    /// <param name="skipCoordinates">Coordinates never tracked (e.g. a clock coordinate).</param>
    public OnlineMomentumEstimator(int dimension, int coordinates = 256, double decay = 0.9995, int depth = 1024, ulong seed = 1,
        IReadOnlyCollection<int>? skipCoordinates = null)
    {
        if (dimension < 1) throw new ArgumentException($"dimension must be >= 1, got {dimension}");
        if (coordinates < 1) throw new ArgumentException($"tracked coordinates must be >= 1, got {coordinates}");
        if (!(decay > 0 && decay <= 1)) throw new ArgumentException($"decay must be in (0, 1], got {decay}");
        if (depth < 4) throw new ArgumentException($"depth must be >= 4, got {depth}");
        var candidates = TrackedCoordinates(dimension, coordinates, seed, skipCoordinates);
        _coords = candidates;
        _k = candidates.Length;
        Depth = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)depth);
        _mask = Depth - 1;
        _steps = new float[Depth * _k];
        _stepTag = new long[Depth];
        _grads = new float[Depth * _k];
        _gradTag = new long[Depth];
        _gradCount = new int[Depth];
        Array.Fill(_stepTag, -1);
        Array.Fill(_gradTag, -1);
        _stepTag[0] = 0; // s_0 = 0
        _m = new double[6 * _k];
        _ratio = new double[3 * _k];
        _scratch = new double[_k];
        _previousStep = new float[_k];
        Decay = decay;
    }

    /// <summary>Per-version decay of the moments.</summary>
    public double Decay { get; }

    /// <summary>Versions kept waiting for late gradients.</summary>
    public int Depth { get; }

    /// <summary>Number of tracked coordinates.</summary>
    public int Coordinates => _k;

    /// <summary>Versions that entered the estimate.</summary>
    public long Processed { get { lock (_lock) return _processed; } }

    /// <summary>The global coordinates tracked, in increasing order.</summary>
    public IReadOnlyList<int> Tracked => _coords;

    /// <summary>
    /// The coordinates an estimator built with these settings tracks: all of [0, <paramref name="dimension"/>) but
    /// <paramref name="skipCoordinates"/>, or a seeded sample of <paramref name="coordinates"/> of them, in increasing
    /// order. The cluster's sequencer keeps exactly these coordinates of w and v to feed a remote estimator.
    /// </summary>
    public static int[] TrackedCoordinates(int dimension, int coordinates, ulong seed, IReadOnlyCollection<int>? skipCoordinates = null)
    {
        if (dimension < 1) throw new ArgumentException($"dimension must be >= 1, got {dimension}");
        if (coordinates < 1) throw new ArgumentException($"tracked coordinates must be >= 1, got {coordinates}");
        var candidates = Enumerable.Range(0, dimension).Where(i => skipCoordinates is null || !skipCoordinates.Contains(i)).ToArray();
        if (candidates.Length == 0) throw new ArgumentException("no coordinate left to track");
        if (candidates.Length > coordinates)
        {
            RandomStream.Derive(seed, 0x0E57).Shuffle(candidates.AsSpan());
            candidates = candidates[..coordinates];
            Array.Sort(candidates);
        }
        return candidates;
    }

    /// <summary>Maps the tracked coordinates to positions of the core that sends updates (once per core).</summary>
    private void Bind(CoordinateSet set)
    {
        if (ReferenceEquals(set, _bound)) return;
        var local = new int[_k];
        for (int j = 0; j < _k; j++)
        {
            local[j] = set.LocalOf(_coords[j]);
            if (local[j] < 0)
                throw new InvalidOperationException($"the online momentum estimator tracks coordinate {_coords[j]}, which the observed update core does not hold");
        }
        _local = local;
        _bound = set;
    }

    /// <inheritdoc/>
    public void OnUpdate(in AppliedUpdate update)
    {
        long version = update.Version, staleness = update.Staleness;
        double alpha = update.Alpha, momentum = update.Momentum;
        var step = update.Step;
        var gradient = update.Gradient;
        lock (_lock)
        {
            Bind(update.Coordinates);
            var at = _local;
            _latest = version;
            _lastAlpha = alpha;
            _lastMomentum = momentum;
            _stalenessSum = Decay * _stalenessSum + staleness;
            _stalenessWeight = Decay * _stalenessWeight + 1;
            _freshSum = Decay * _freshSum + (staleness == 0 ? 1 : 0);
            _onceSum = Decay * _onceSum + (staleness == 1 ? 1 : 0);
            int slot = (int)(version & _mask);
            var x = _steps.AsSpan(slot * _k, _k);
            for (int j = 0; j < _k; j++) x[j] = (float)(-alpha * gradient[at[j]]);
            _stepTag[slot] = version;

            // Check ratio (A + alpha C) / (A - B) with the step and the applied gradient (equals mu_e).
            for (int j = 0; j < _k; j++)
            {
                float sj = step[at[j]];
                double a = sj, b = sj - _previousStep[j], c = alpha * gradient[at[j]];
                _previousStep[j] = sj;
                _ratio[3 * j] = Decay * _ratio[3 * j] + a;
                _ratio[3 * j + 1] = Decay * _ratio[3 * j + 1] + b;
                _ratio[3 * j + 2] = Decay * _ratio[3 * j + 2] + c;
            }

            long read = version - 1 - staleness;
            if (read >= 0 && version - read < Depth)
            {
                int gs = (int)(read & _mask);
                var g = _grads.AsSpan(gs * _k, _k);
                if (_gradTag[gs] != read)
                {
                    _gradTag[gs] = read;
                    _gradCount[gs] = 0;
                    g.Clear();
                }
                int n = ++_gradCount[gs];
                for (int j = 0; j < _k; j++) g[j] += (gradient[at[j]] - g[j]) / n;
            }
            Advance();
        }
    }

    /// <summary>The estimator's whole state (buffers, moments, counters), for checkpoints.</summary>
    public OnlineMomentumEstimatorState GetState()
    {
        lock (_lock)
        {
            return new OnlineMomentumEstimatorState
            {
                Coordinates = _k,
                Depth = Depth,
                Steps = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_steps.AsSpan()).ToArray(),
                StepTag = [.. _stepTag],
                Grads = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_grads.AsSpan()).ToArray(),
                GradTag = [.. _gradTag],
                GradCount = [.. _gradCount],
                Moments = [.. _m],
                Pooled = [.. _pooled],
                Ratio = [.. _ratio],
                PreviousStep = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_previousStep.AsSpan()).ToArray(),
                Next = _next,
                Latest = _latest,
                Processed = _processed,
                LastAlpha = _lastAlpha,
                LastMomentum = _lastMomentum,
                StalenessSum = _stalenessSum,
                StalenessWeight = _stalenessWeight,
                FreshSum = _freshSum,
                OnceSum = _onceSum,
            };
        }
    }

    /// <summary>Restores a state from <see cref="GetState"/> of an estimator built with the same settings; throws <see cref="ArgumentException"/> otherwise.</summary>
    public void Restore(OnlineMomentumEstimatorState state)
    {
        void Check(bool ok, string what)
        {
            if (!ok) throw new ArgumentException($"online momentum estimator state: {what} does not match this estimator ({_k} coordinates, depth {Depth})");
        }
        Check(state.Coordinates == _k && state.Depth == Depth, "size");
        Check(state.Steps.Length == _steps.Length * sizeof(float) && state.Grads.Length == _grads.Length * sizeof(float), "buffers");
        Check(state.StepTag.Length == _stepTag.Length && state.GradTag.Length == _gradTag.Length && state.GradCount.Length == _gradCount.Length, "tags");
        Check(state.Moments.Length == _m.Length && state.Pooled.Length == _pooled.Length && state.Ratio.Length == _ratio.Length, "moments");
        Check(state.PreviousStep.Length == _previousStep.Length * sizeof(float), "previous step");
        Check(state.Next >= 0 && state.Latest >= 0 && state.Processed >= 0, "counters");
        lock (_lock)
        {
            state.Steps.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_steps.AsSpan()));
            state.StepTag.CopyTo(_stepTag, 0);
            state.Grads.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_grads.AsSpan()));
            state.GradTag.CopyTo(_gradTag, 0);
            state.GradCount.CopyTo(_gradCount, 0);
            state.Moments.CopyTo(_m, 0);
            state.Pooled.CopyTo(_pooled, 0);
            state.Ratio.CopyTo(_ratio, 0);
            state.PreviousStep.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_previousStep.AsSpan()));
            _next = state.Next;
            _latest = state.Latest;
            _processed = state.Processed;
            _lastAlpha = state.LastAlpha;
            _lastMomentum = state.LastMomentum;
            _stalenessSum = state.StalenessSum;
            _stalenessWeight = state.StalenessWeight;
            _freshSum = state.FreshSum;
            _onceSum = state.OnceSum;
        }
    }

    private void Advance()
    {
        while (_next + 2 <= _latest)
        {
            long p = _next;
            int s0 = (int)(p & _mask), s1 = (int)((p + 1) & _mask), s2 = (int)((p + 2) & _mask);
            bool ready = _gradTag[s0] == p && _gradTag[s1] == p + 1 && _stepTag[s0] == p && _stepTag[s1] == p + 1 && _stepTag[s2] == p + 2;
            if (!ready)
            {
                if (_latest - p >= Depth - 2) { _next++; continue; } // a gradient that will never come (or too late)
                return;
            }
            Add(s0, s1, s2);
            _processed++;
            _next++;
        }
    }

    private void Add(int s0, int s1, int s2)
    {
        double lambda = Decay;
        for (int i = 0; i < 6; i++) _pooled[i] *= lambda;
        for (int j = 0; j < _k; j++)
        {
            double z1 = _steps[s0 * _k + j], z2 = _grads[s0 * _k + j];
            double x1 = _steps[s1 * _k + j], x2 = -_grads[s1 * _k + j];
            double y = _steps[s2 * _k + j];
            int b = 6 * j;
            _m[b] = lambda * _m[b] + z1 * x1;
            _m[b + 1] = lambda * _m[b + 1] + z1 * x2;
            _m[b + 2] = lambda * _m[b + 2] + z2 * x1;
            _m[b + 3] = lambda * _m[b + 3] + z2 * x2;
            _m[b + 4] = lambda * _m[b + 4] + z1 * y;
            _m[b + 5] = lambda * _m[b + 5] + z2 * y;
            _pooled[0] += z1 * x1;
            _pooled[1] += z1 * x2;
            _pooled[2] += z2 * x1;
            _pooled[3] += z2 * x2;
            _pooled[4] += z1 * y;
            _pooled[5] += z2 * y;
        }
    }

    private static bool Solve(ReadOnlySpan<double> m, out double mu, out double a)
    {
        double det = m[0] * m[3] - m[1] * m[2];
        double scale = Math.Abs(m[0] * m[3]) + Math.Abs(m[1] * m[2]);
        if (!(Math.Abs(det) > 1e-12 * scale) || scale == 0)
        {
            mu = a = double.NaN;
            return false;
        }
        mu = (m[4] * m[3] - m[1] * m[5]) / det;
        a = (m[0] * m[5] - m[2] * m[4]) / det;
        return double.IsFinite(mu) && double.IsFinite(a);
    }

    /// <summary>The current estimate (allocates; call it every so often, not per update).</summary>
    public OnlineMomentumEstimate Estimate()
    {
        lock (_lock)
        {
            int n = 0;
            for (int j = 0; j < _k; j++)
                if (Solve(_m.AsSpan(6 * j, 6), out double mu, out _)) _scratch[n++] = mu;
            Solve(_pooled, out double pooledMu, out double pooledAlpha);
            double median = double.NaN, lo = double.NaN, hi = double.NaN;
            if (n > 0)
            {
                var v = _scratch.AsSpan(0, n);
                v.Sort();
                median = n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
                // Distribution-free 95% interval for the median: order statistics n/2 -/+ 1.96 sqrt(n)/2.
                double half = 1.96 * Math.Sqrt(n) / 2;
                lo = v[Math.Clamp((int)Math.Floor(n / 2.0 - half), 0, n - 1)];
                hi = v[Math.Clamp((int)Math.Ceiling(n / 2.0 + half) - 1, 0, n - 1)];
            }
            int r = 0;
            for (int j = 0; j < _k; j++)
            {
                double den = _ratio[3 * j] - _ratio[3 * j + 1];
                if (den != 0) _scratch[r++] = (_ratio[3 * j] + _ratio[3 * j + 2]) / den;
            }
            double ratio = double.NaN;
            if (r > 0)
            {
                var v = _scratch.AsSpan(0, r);
                v.Sort();
                ratio = r % 2 == 1 ? v[r / 2] : 0.5 * (v[r / 2 - 1] + v[r / 2]);
            }
            return new OnlineMomentumEstimate(median, lo, hi, _lastMomentum + median, pooledMu, pooledAlpha, _lastAlpha, _lastMomentum, ratio, n, _processed)
            {
                MeanStaleness = _stalenessWeight > 0 ? _stalenessSum / _stalenessWeight : double.NaN,
                FreshShare = _stalenessWeight > 0 ? _freshSum / _stalenessWeight : double.NaN,
                OnceShare = _stalenessWeight > 0 ? _onceSum / _stalenessWeight : double.NaN,
            };
        }
    }

    /// <summary>Total momentum now, explicit + median implicit (NaN before enough data); allocates nothing but sorts.</summary>
    public double TotalMomentum => Estimate().Total;

    /// <summary>The check ratio (A + alpha C)/(A - B) with the applied gradient: equals the explicit momentum.</summary>
    public double ExplicitRatio => Estimate().ExplicitRatio;
}
