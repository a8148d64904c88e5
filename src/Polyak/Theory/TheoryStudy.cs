using System.Diagnostics;
using Polyak.Execution;
using Polyak.Numerics;

namespace Polyak.Theory;

/// <summary>Settings of <see cref="TheoryStudy"/> (<c>polyak theory</c>).</summary>
public sealed record TheoryOptions
{
    /// <summary>Numbers of asynchronous workers M to study.</summary>
    public int[] Workers { get; init; } = [1, 2, 4, 8, 16, 32];

    /// <summary>Explicit momentum mu_e in (-1, 1).</summary>
    public double ExplicitMomentum { get; init; }

    /// <summary>Gradient-time law of the simulated workers.</summary>
    public string Distribution { get; init; } = "exponential";

    /// <summary>Independent trajectories per M for the offline fit.</summary>
    public int Trajectories { get; init; } = 256;

    /// <summary>Bootstrap resamples for the intervals.</summary>
    public int Bootstrap { get; init; } = 200;

    /// <summary>Staleness samples per M for the chi-square test; the run lasts M times longer (every M-th update is kept).</summary>
    public int StalenessUpdates { get; init; } = 20_000;

    /// <summary>Dimension d of the quadratic.</summary>
    public int Dimension { get; init; } = 8;

    /// <summary>Condition number of the Hessian (eigenvalues geometric from 1 down to 1/condition).</summary>
    public double Condition { get; init; } = 10;

    /// <summary>Learning rate alpha = StepScale / (M h_max), so every M moves w by about StepScale per M updates.</summary>
    public double StepScale { get; init; } = 0.5;

    /// <summary>Gradient noise of the online-estimator run (the offline fit is noise-free).</summary>
    public double OnlineNoise { get; init; } = 0.1;

    /// <summary>Seed of every stream.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Workers.Length == 0) throw new ArgumentException("--workers: give at least one number of workers M");
        foreach (int m in Workers)
            if (m < 1 || m > 1024) throw new ArgumentException($"--workers: the number of workers M must be in [1, 1024], got {m}");
        if (!(ExplicitMomentum > -1 && ExplicitMomentum < 1)) throw new ArgumentException($"--momentum must be in (-1, 1), got {ExplicitMomentum}");
        ClockModel.Validate(new SimulationOptions { Distribution = Distribution }, 1);
        if (Trajectories < 2) throw new ArgumentException($"--trajectories must be >= 2, got {Trajectories}");
        if (Bootstrap < 0) throw new ArgumentException($"--bootstrap must be >= 0, got {Bootstrap}");
        if (StalenessUpdates < 10) throw new ArgumentException($"--staleness-updates must be >= 10, got {StalenessUpdates}");
        if (Dimension < 1 || Dimension > 1000) throw new ArgumentException($"dimension must be in [1, 1000], got {Dimension}");
        if (!(Condition >= 1) || double.IsInfinity(Condition)) throw new ArgumentException($"condition number must be >= 1, got {Condition}");
        if (!(StepScale > 0) || double.IsInfinity(StepScale)) throw new ArgumentException($"step scale must be > 0, got {StepScale}");
        if (!(OnlineNoise >= 0) || double.IsInfinity(OnlineNoise)) throw new ArgumentException($"online noise must be >= 0, got {OnlineNoise}");
    }
}

/// <summary>One row of the theory table: measured staleness and implicit momentum for M workers, with predictions.</summary>
public sealed record TheoryRow
{
    /// <summary>Number of asynchronous workers M.</summary>
    public required int Workers { get; init; }

    /// <summary>Measured mean staleness over every update after warm-up.</summary>
    public required double StalenessMean { get; init; }

    /// <summary>Predicted mean staleness M - 1.</summary>
    public required double StalenessPredicted { get; init; }

    /// <summary>Relative error of the mean staleness against M - 1 (NaN for M = 1).</summary>
    public required double StalenessRelativeError { get; init; }

    /// <summary>The predicted law (e.g. geometric(1/4)).</summary>
    public required string StalenessLaw { get; init; }

    /// <summary>Chi-square statistic against the law (null when no law is predicted).</summary>
    public double? ChiSquare { get; init; }

    /// <summary>Degrees of freedom of the chi-square test.</summary>
    public int? ChiSquareDf { get; init; }

    /// <summary>p-value of the chi-square test.</summary>
    public double? ChiSquarePValue { get; init; }

    /// <summary>Measured staleness counts of the thinned sample (every M-th update after warm-up) used by the chi-square test.</summary>
    public required long[] StalenessHistogram { get; init; }

    /// <summary>Fitted total momentum (1 lag).</summary>
    public required double MuHat { get; init; }

    /// <summary>95% bootstrap interval of mu_hat.</summary>
    public required double[] MuHatCi { get; init; }

    /// <summary>Implicit momentum of the theory, 1 - 1/M.</summary>
    public required double MuImplicit { get; init; }

    /// <summary>First-order prediction of the total momentum: mu_e + 1 - 1/M.</summary>
    public required double MuPredicted { get; init; }

    /// <summary>Plain least-squares mu (attenuated; for comparison with the instrumental-variable mu_hat).</summary>
    public required double MuLeastSquares { get; init; }

    /// <summary>Learning rate alpha of the runs.</summary>
    public required double Alpha { get; init; }

    /// <summary>Fitted effective step over alpha (theory: 1/M).</summary>
    public required double AlphaRatio { get; init; }

    /// <summary>95% bootstrap interval of alpha_hat / alpha.</summary>
    public required double[] AlphaRatioCi { get; init; }

    /// <summary>1/M.</summary>
    public required double AlphaRatioPredicted { get; init; }

    /// <summary>2-lag fit: coefficient of s_t (exact theory: mu_e + q).</summary>
    public required double Lag1 { get; init; }

    /// <summary>2-lag fit: coefficient of s_{t-1} (exact theory: -q mu_e; additive: 0).</summary>
    public required double Lag2 { get; init; }

    /// <summary>95% interval of lag 2.</summary>
    public required double[] Lag2Ci { get; init; }

    /// <summary>Exact prediction of lag 2: -q mu_e.</summary>
    public required double Lag2Exact { get; init; }

    /// <summary>Residual sum of squares of the additive model over the exact one (> 1 favours exact).</summary>
    public required double RssRatioAdditiveOverExact { get; init; }

    /// <summary>Which lag model the data supports: "exact", "additive" or "indistinguishable" (mu_e = 0 or M = 1).</summary>
    public required string Supports { get; init; }

    /// <summary>Online estimator of the implicit momentum (median over coordinates) at the end of the noisy run (theory 1 - 1/M).</summary>
    public required double OnlineImplicit { get; init; }

    /// <summary>Its 95% interval.</summary>
    public required double[] OnlineImplicitCi { get; init; }

    /// <summary>Online total momentum: explicit + implicit.</summary>
    public required double OnlineMu { get; init; }

    /// <summary>Online pooled alpha_T / alpha.</summary>
    public required double OnlineAlphaRatio { get; init; }

    /// <summary>Wall seconds spent on this M.</summary>
    public required double WallSeconds { get; init; }
}

/// <summary>The whole theory report: settings and one row per M.</summary>
public sealed record TheoryReport(TheoryOptions Options, double[] Eigenvalues, IReadOnlyList<TheoryRow> Rows, double WallSeconds);

/// <summary>
/// The theory check of DESIGN section 1 on the simulator: for each M, (1) a long run whose post-warm-up staleness
/// histogram is compared with the predicted law (chi-square) and on which the online estimator runs (noisy gradients);
/// (2) R independent noise-free trajectories on the gated quadratic, fitted by <see cref="ImplicitMomentumFit"/>.
/// Deterministic for a seed; trajectories run in parallel on all cores.
/// </summary>
public static class TheoryStudy
{
    /// <summary>Runs the study.</summary>
    public static TheoryReport Run(TheoryOptions o, Action<string>? log = null, CancellationToken cancel = default)
    {
        o.Validate();
        var total = Stopwatch.StartNew();
        int d = o.Dimension;
        var h = new double[d];
        for (int i = 0; i < d; i++) h[i] = d == 1 ? 1 : Math.Pow(o.Condition, -(double)i / (d - 1));
        var rows = new List<TheoryRow>();
        foreach (int m in o.Workers)
        {
            cancel.ThrowIfCancellationRequested();
            var sw = Stopwatch.StartNew();
            rows.Add(RunOne(o, m, h, cancel));
            var r = rows[^1];
            log?.Invoke($"M = {m}: staleness {r.StalenessMean:F3} (M-1 = {m - 1}), mu_hat {r.MuHat:F4} [{r.MuHatCi[0]:F4}, {r.MuHatCi[1]:F4}] vs {r.MuPredicted:F4}, alpha ratio {r.AlphaRatio:F4} vs {r.AlphaRatioPredicted:F4} ({sw.Elapsed.TotalSeconds:F1} s)");
        }
        return new TheoryReport(o, h, rows, total.Elapsed.TotalSeconds);
    }

    /// <summary>Warm-up updates before the fit window and the staleness histogram: 10 M (every group has pushed).</summary>
    public static int WarmUp(int m) => Math.Max(16, 10 * m);

    /// <summary>Fit window in updates: 10 M (w moves by about 5 StepScale-units over it).</summary>
    public static int Horizon(int m) => Math.Max(40, 10 * m);

    private static TheoryRow RunOne(TheoryOptions o, int m, double[] h, CancellationToken cancel)
    {
        var sw = Stopwatch.StartNew();
        double alpha = o.StepScale / (m * h.Max());
        double mue = o.ExplicitMomentum;
        var sim = new SimulationOptions { Distribution = o.Distribution };
        var clock = new ClockModel(sim, m, m, 1);
        var law = StalenessLaw.For(clock);
        int warm = WarmUp(m), horizon = Horizon(m);
        int d = h.Length;

        // (1) Long noisy run: staleness after warm-up, online estimator.
        // Successive staleness values are positively correlated (they share the same race), which makes a chi-square
        // test on all of them anti-conservative; every M-th value is nearly independent, so the test uses those.
        var all = new StalenessHistogram();
        var hist = new StalenessHistogram();
        var noisy = new GatedQuadratic(h, float.NegativeInfinity, o.OnlineNoise);
        var online = new OnlineMomentumEstimator(d + 1, decay: 1.0, skipCoordinates: [d], seed: o.Seed);
        long seen = 0;
        RunQuadratic(noisy, m, alpha, mue, warm + (long)o.StalenessUpdates * m, RandomStream.DeriveSeed(o.Seed, 0x57A1, (ulong)m), sim, online,
            (_, _, tau) =>
            {
                long k = seen++ - warm;
                if (k < 0) return;
                all.Add(tau);
                if (k % m == 0) hist.Add(tau);
            });
        var est = online.Estimate();
        var fit = law.Fit(hist);

        // (2) Independent noise-free trajectories on the gated quadratic.
        float threshold = GatedQuadratic.ClockThreshold(warm, (float)alpha, (float)mue);
        var model = new GatedQuadratic(h, threshold);
        var steps = new double[o.Trajectories][];
        var pars = new double[o.Trajectories][];
        Parallel.For(0, o.Trajectories, new ParallelOptions { CancellationToken = cancel }, r =>
        {
            var rec = new TrajectoryRecorder(model, warm, horizon);
            RunQuadratic(model, m, alpha, mue, warm + horizon, RandomStream.DeriveSeed(o.Seed, 0x7A7, (ulong)m, (ulong)r), sim, rec, null);
            steps[r] = rec.Steps;
            pars[r] = rec.Parameters;
        });
        var result = new ImplicitMomentumFit(steps, pars, h, horizon).Fit(o.Bootstrap, RandomStream.DeriveSeed(o.Seed, 0xF17, (ulong)m), mue, m);

        double q = 1 - 1.0 / m;
        double lag2Exact = -q * mue;
        double rssRatio = result.RssAdditive / Math.Max(result.RssExact, 1e-300);
        string supports;
        if (mue == 0 || m == 1) supports = "indistinguishable";
        else
        {
            bool exactInside = result.Lag2Interval[0] <= lag2Exact && lag2Exact <= result.Lag2Interval[1];
            bool zeroInside = result.Lag2Interval[0] <= 0 && 0 <= result.Lag2Interval[1];
            supports = exactInside && !zeroInside ? "exact"
                : zeroInside && !exactInside ? "additive"
                : rssRatio > 1 ? "exact" : "additive";
        }
        return new TheoryRow
        {
            Workers = m,
            StalenessMean = all.Mean,
            StalenessPredicted = law.Mean,
            StalenessRelativeError = m == 1 ? (all.Mean == 0 ? 0 : double.PositiveInfinity) : (all.Mean - law.Mean) / law.Mean,
            StalenessLaw = law.Name,
            ChiSquare = fit?.Statistic,
            ChiSquareDf = fit?.DegreesOfFreedom,
            ChiSquarePValue = fit is null ? null : double.IsNaN(fit.PValue) ? null : fit.PValue,
            StalenessHistogram = hist.ToArray(),
            MuHat = result.Mu,
            MuHatCi = result.MuInterval,
            MuLeastSquares = result.LeastSquaresMu,
            MuImplicit = q,
            MuPredicted = mue + q,
            Alpha = alpha,
            AlphaRatio = result.Alpha / alpha,
            AlphaRatioCi = [result.AlphaInterval[0] / alpha, result.AlphaInterval[1] / alpha],
            AlphaRatioPredicted = 1.0 / m,
            Lag1 = result.Lag1,
            Lag2 = result.Lag2,
            Lag2Ci = result.Lag2Interval,
            Lag2Exact = lag2Exact,
            RssRatioAdditiveOverExact = rssRatio,
            Supports = supports,
            OnlineImplicit = est.Implicit,
            OnlineImplicitCi = [est.Lower, est.Upper],
            OnlineMu = est.Total,
            OnlineAlphaRatio = est.PooledAlpha / alpha,
            WallSeconds = sw.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Runs the simulator on a quadratic (no Trainer: no data, no evaluation, no files).</summary>
    public static ParameterServer RunQuadratic(GatedQuadratic model, int workers, double alpha, double mu, long updates, ulong seed,
        SimulationOptions sim, IUpdateObserver? observer, Action<int, long, long>? hook)
    {
        var data = GatedQuadratic.PlaceholderData();
        var options = new TrainingOptions
        {
            Model = model.Name,
            Backend = "simulated",
            Workers = workers,
            Groups = workers,
            Batch = 1,
            LearningRate = alpha,
            Momentum = mu,
            Updates = updates,
            Seed = seed,
            EvalEvery = int.MaxValue,
            Simulation = sim,
        };
        var resolved = ResolvedOptions.Resolve(options, alpha);
        var w = new float[model.ParameterCount];
        model.Initialize(w, seed);
        var server = new ParameterServer(w, mu, 0, resolved.Schedule, UpdateDiscipline.Atomic) { Observer = observer };
        var monitor = new RunMonitor(updates, null, null, double.MaxValue, int.MaxValue, null, CancellationToken.None);
        var context = new TrainingContext(resolved, model, data, server, monitor) { UpdateHook = hook };
        monitor.Start();
        new SimulatedBackend(maxParallelism: 1).Run(context);
        monitor.Halt();
        return server;
    }

    /// <summary>Records s_t and w_t (first d coordinates) for versions W..W+T, tracking w with the server's float arithmetic.</summary>
    private sealed class TrajectoryRecorder : IUpdateObserver
    {
        private readonly float[] _w;
        private readonly int _d, _warm, _horizon;

        public TrajectoryRecorder(GatedQuadratic model, int warm, int horizon)
        {
            _d = model.Dimension;
            _w = new float[model.ParameterCount];
            model.Initialize(_w, 0);
            _warm = warm;
            _horizon = horizon;
            Steps = new double[(horizon + 1) * _d];
            Parameters = new double[(horizon + 1) * _d];
            if (warm == 0) Store(0, default);
        }

        public double[] Steps { get; }

        public double[] Parameters { get; }

        public void OnUpdate(long version, ReadOnlySpan<float> step, ReadOnlySpan<float> gradient, double alpha, double momentum)
        {
            for (int i = 0; i < _w.Length; i++) _w[i] += step[i];
            long j = version - _warm;
            if (j >= 0 && j <= _horizon) Store((int)j, step);
        }

        private void Store(int j, ReadOnlySpan<float> step)
        {
            for (int i = 0; i < _d; i++)
            {
                Steps[j * _d + i] = step.IsEmpty ? 0 : step[i];
                Parameters[j * _d + i] = _w[i];
            }
        }
    }
}
