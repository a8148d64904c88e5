using Polyak.Execution;
using Polyak.Numerics;

namespace Polyak.Theory;

/// <summary>
/// The offline implicit-momentum estimator. Given R independent simulated trajectories on a deterministic quadratic
/// with known Hessian H (only the event timing is random), it averages, per version t and coordinate i, the step
/// <c>s_t = w_t - w_{t-1}</c> and the parameters w_t over trajectories, and fits over all (t, i)
/// <code>
///   mean s_{t+1} = mu_hat mean s_t - alpha_hat H mean w_t                       (1 lag: mu_hat, alpha_hat)
///   mean s_{t+1} = b1 mean s_t + b2 mean s_{t-1} - a H mean w_t                 (2 lags)
/// </code>
/// (E grad f(w_t) = H E w_t exactly for a quadratic). The residual of the averaged recursion is a difference
/// <c>e_{t+1} - e_t</c> of averaged surprises (e_t = s_t - E[s_t | past]); plain least squares is attenuated because the
/// regressor mean s_t contains e_t (bias of order 1/R, visible at large M), so the reported fit uses instrumental
/// variables known one version earlier (s_{t-1}, s_{t-2}, H w_{t-1}); the plain least-squares fit is kept for comparison.
/// Confidence intervals are percentile bootstrap intervals over trajectories (resampling whole trajectories and refitting).
/// </summary>
public sealed class ImplicitMomentumFit
{
    private readonly double[][] _steps;
    private readonly double[][] _params;
    private readonly double[] _h;
    private readonly int _horizon;

    // The plain least-squares (mu, alpha) of the last weighted fit (attenuated by the noise of the averaged steps).
    private (double Mu, double Alpha) LastLeastSquares { get; set; }

    /// <summary>
    /// Creates a fit from per-trajectory recordings: <paramref name="steps"/>[r][j * d + i] = s at version W + j and
    /// <paramref name="parameters"/>[r][j * d + i] = w at version W + j, j = 0..horizon.
    /// </summary>
    public ImplicitMomentumFit(double[][] steps, double[][] parameters, double[] eigenvalues, int horizon)
    {
        if (steps.Length == 0 || steps.Length != parameters.Length) throw new ArgumentException("need the same number (>= 1) of step and parameter recordings");
        int d = eigenvalues.Length;
        foreach (var a in steps.Concat(parameters))
            if (a.Length != (horizon + 1) * d) throw new ArgumentException($"each recording needs {(horizon + 1) * d} values, got {a.Length}");
        _steps = steps;
        _params = parameters;
        _h = eigenvalues;
        _horizon = horizon;
    }

    /// <summary>Number of trajectories.</summary>
    public int Trajectories => _steps.Length;

    /// <summary>Fits both models on all trajectories and bootstraps their intervals.</summary>
    public MomentumFitResult Fit(int bootstrap, ulong seed, double explicitMomentum, int workers)
    {
        int r = _steps.Length;
        var weights = new double[r];
        Array.Fill(weights, 1.0);
        var (one, two, rssAdditive, rssExact) = FitWeighted(weights, explicitMomentum, workers);
        var leastSquares = LastLeastSquares;
        var mus = new List<double>();
        var alphas = new List<double>();
        var b1s = new List<double>();
        var b2s = new List<double>();
        var random = RandomStream.Derive(seed, 0xB007);
        for (int b = 0; b < bootstrap; b++)
        {
            Array.Clear(weights);
            for (int k = 0; k < r; k++) weights[random.NextInt(r)] += 1;
            var (o, t, _, _) = FitWeighted(weights, explicitMomentum, workers);
            if (double.IsFinite(o[0])) { mus.Add(o[0]); alphas.Add(o[1]); }
            if (double.IsFinite(t[0])) { b1s.Add(t[0]); b2s.Add(t[1]); }
        }
        return new MomentumFitResult(one[0], one[1], Interval(mus, one[0]), Interval(alphas, one[1]),
            two[0], two[1], two[2], Interval(b1s, two[0]), Interval(b2s, two[1]), rssAdditive, rssExact, r, _horizon,
            leastSquares.Mu, leastSquares.Alpha);
    }

    private static double[] Interval(List<double> values, double point)
    {
        if (values.Count == 0) return [point, point];
        values.Sort();
        double Q(double p) => values[Math.Clamp((int)Math.Round(p * (values.Count - 1)), 0, values.Count - 1)];
        return [Q(0.025), Q(0.975)];
    }

    private (double[] One, double[] Two, double RssAdditive, double RssExact) FitWeighted(double[] weights, double mue, int workers)
    {
        int d = _h.Length, n = (_horizon + 1) * d;
        var s = new double[n];
        var w = new double[n];
        double total = 0;
        for (int k = 0; k < weights.Length; k++)
        {
            double c = weights[k];
            if (c == 0) continue;
            total += c;
            var sk = _steps[k];
            var wk = _params[k];
            for (int x = 0; x < n; x++)
            {
                s[x] += c * sk[x];
                w[x] += c * wk[x];
            }
        }
        for (int x = 0; x < n; x++)
        {
            s[x] /= total;
            w[x] /= total;
        }
        var one = new LeastSquaresFit(2);
        var two = new LeastSquaresFit(3);
        var ls = new LeastSquaresFit(2);
        // Constrained lag models (only the step size free): additive (mu_e + q, 0) and exact (mu_e + q, -q mu_e).
        double q = 1 - 1.0 / workers;
        var additive = new LeastSquaresFit(1);
        var exact = new LeastSquaresFit(1);
        Span<double> x2 = stackalloc double[2];
        Span<double> z2 = stackalloc double[2];
        Span<double> x3 = stackalloc double[3];
        Span<double> z3 = stackalloc double[3];
        Span<double> x1 = stackalloc double[1];
        double S(int j, int i) => j >= 0 ? s[j * d + i] : 0;
        double G(int j, int i) => j >= 0 ? -_h[i] * w[j * d + i] : -_h[i] * w[i];
        for (int j = 0; j < _horizon; j++)
        {
            for (int i = 0; i < d; i++)
            {
                double y = S(j + 1, i), st = S(j, i), sp = S(j - 1, i), g = G(j, i);
                x2[0] = st; x2[1] = g;
                ls.Add(x2, y);
                // Instruments known one version earlier: the residual e_{t+1} - e_t is orthogonal to them.
                z2[0] = sp; z2[1] = G(j - 1, i);
                one.Add(z2, x2, y);
                x3[0] = st; x3[1] = sp; x3[2] = g;
                z3[0] = sp; z3[1] = S(j - 2, i); z3[2] = G(j - 1, i);
                two.Add(z3, x3, y);
                x1[0] = g;
                additive.Add(x1, y - (mue + q) * st);
                exact.Add(x1, y - (mue + q) * st + q * mue * sp);
            }
        }
        var bAdd = additive.Solve();
        var bExact = exact.Solve();
        var bLs = ls.Solve();
        LastLeastSquares = (bLs[0], bLs[1]);
        return (one.Solve(), two.Solve(), additive.ResidualSumOfSquares(bAdd), exact.ResidualSumOfSquares(bExact));
    }
}
