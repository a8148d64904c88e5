using Polyak.Execution;
using Polyak.Numerics;

namespace Polyak.Theory;

/// <summary>
/// Result of <see cref="ImplicitMomentumFit"/>: the 1-lag (mu_hat, alpha_hat) with bootstrap 95% intervals, the 2-lag
/// coefficients (b1, b2, a) with intervals (both instrumental-variable fits), the residual sums of squares of the
/// additive and exact lag models, and the plain least-squares 1-lag fit for comparison.
/// </summary>
public sealed record MomentumFitResult(double Mu, double Alpha, double[] MuInterval, double[] AlphaInterval,
    double Lag1, double Lag2, double TwoLagAlpha, double[] Lag1Interval, double[] Lag2Interval,
    double RssAdditive, double RssExact, int Trajectories, int Horizon, double LeastSquaresMu, double LeastSquaresAlpha);
