using System.Globalization;
using System.Diagnostics;
using Polyak.Execution;
using Polyak.Numerics;
using Polyak.Optimization;

namespace Polyak.Theory;

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
        // Lag-1 autocorrelation of the thinned values the test uses: the test assumes them independent.
        double sx = 0, sxx = 0, sxy = 0, previous = double.NaN;
        long pairs = 0, thinned = 0;
        RunQuadratic(noisy, m, alpha, mue, warm + (long)o.StalenessUpdates * m, RandomStream.DeriveSeed(o.Seed, 0x57A1, (ulong)m), sim, online,
            (_, _, tau) =>
            {
                long k = seen++ - warm;
                if (k < 0) return;
                all.Add(tau);
                if (k % m != 0) return;
                hist.Add(tau);
                thinned++;
                sx += tau;
                sxx += (double)tau * tau;
                if (!double.IsNaN(previous)) { sxy += previous * tau; pairs++; }
                previous = tau;
            });
        double meanTau = thinned > 0 ? sx / thinned : double.NaN, varTau = thinned > 0 ? sxx / thinned - meanTau * meanTau : double.NaN;
        double rho = pairs > 1 && varTau > 0 ? (sxy / pairs - meanTau * meanTau) / varTau : double.NaN;
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
        // The verdict on the lag models, stated truthfully: with mu_e = 0 both predict lag2 = 0, so a fitted lag2 whose
        // interval excludes 0 contradicts both; a degenerate interval (identical trajectories) decides nothing by itself.
        bool degenerate = result.MuInterval[0] == result.MuInterval[1] && result.Lag2Interval[0] == result.Lag2Interval[1];
        bool zeroIn = result.Lag2Interval[0] <= 0 && 0 <= result.Lag2Interval[1];
        bool exactIn = result.Lag2Interval[0] <= lag2Exact && lag2Exact <= result.Lag2Interval[1];
        bool farFromBoth = Math.Abs(result.Lag2) > 0.1 && Math.Abs(result.Lag2 - lag2Exact) > 0.1;
        string supports, supportsWhy;
        if (m == 1) (supports, supportsWhy) = ("indistinguishable", "M = 1: no staleness, both models are the same");
        else if (mue == 0)
            (supports, supportsWhy) = (degenerate ? farFromBoth : !zeroIn)
                ? ("neither", string.Create(CultureInfo.InvariantCulture, $"mu_e = 0: both models predict lag2 = 0, the fit gives {result.Lag2:G3}{(degenerate ? " on identical trajectories" : " with an interval excluding 0")}: the one-lag model does not describe these trajectories"))
                : ("indistinguishable", "mu_e = 0: both models predict lag2 = 0 and the fit agrees");
        else if (degenerate)
            (supports, supportsWhy) = farFromBoth ? ("neither", string.Create(CultureInfo.InvariantCulture, $"lag2 {result.Lag2:G3} is far from both 0 and {lag2Exact:G3} (identical trajectories: no interval)"))
                : (rssRatio > 1 ? "exact" : "additive", "identical trajectories: decided by the residuals alone, no interval");
        else
        {
            supports = exactIn && !zeroIn ? "exact" : zeroIn && !exactIn ? "additive" : !exactIn && !zeroIn ? "neither" : rssRatio > 1 ? "exact" : "additive";
            supportsWhy = supports == "neither" ? "the lag2 interval excludes both 0 (additive) and the exact value"
                : exactIn && zeroIn ? "the lag2 interval holds both values: decided by the residuals" : "the lag2 interval holds only this model's value";
        }
        // The online estimator's derivation needs the memoryless race: exponential times, equal speeds, groups of one.
        bool onlineValid = string.Equals(o.Distribution, "exponential", StringComparison.OrdinalIgnoreCase);
        // The chi-square test assumes independent values; every M-th value is nearly so, unless the correlation shows.
        double rhoLimit = thinned > 0 ? 3 / Math.Sqrt(thinned) : double.NaN;
        bool chiValid = fit is null || !(Math.Abs(rho) > rhoLimit); // no test (no law to test against): nothing to flag
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
            SupportsReason = supportsWhy,
            IntervalsDegenerate = degenerate,
            ChiSquareLag1Correlation = double.IsNaN(rho) ? null : rho,
            ChiSquareValid = chiValid,
            OnlineValid = onlineValid,
            OnlineImplicit = est.Implicit,
            OnlineImplicitCi = [est.Lower, est.Upper],
            OnlineMu = est.Total,
            OnlineAlphaRatio = est.PooledAlpha / alpha,
            WallSeconds = sw.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Runs the simulator on a quadratic (no trainer: no data, no evaluation, no files); <paramref name="observer"/> sees every update.</summary>
    public static ParameterServer RunQuadratic(GatedQuadratic model, int workers, double alpha, double mu, long updates, ulong seed,
        SimulationOptions sim, IUpdateObserver? observer, Action<int, long, long>? hook)
    {
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
        var plan = RunPlanner.Plan(options, GatedQuadratic.PlaceholderData(), model, new SimulatedBackend(maxParallelism: 1));
        var w = new float[model.ParameterCount];
        model.Initialize(w, seed);
        var server = new ParameterServer(w, mu, 0, plan.Schedule, UpdateDiscipline.Atomic);
        if (observer is not null) server.Core.Attach(observer);
        var monitor = new RunMonitor(updates, null, null, double.MaxValue, int.MaxValue, null, CancellationToken.None);
        var context = new TrainingContext(plan, server, monitor) { UpdateHook = hook };
        monitor.Start();
        plan.Backend.Run(context);
        monitor.Halt();
        return server;
    }
}
