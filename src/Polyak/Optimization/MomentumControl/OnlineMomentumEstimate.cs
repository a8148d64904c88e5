namespace Polyak.Optimization;

/// <summary>
/// An online momentum estimate: the implicit momentum (median over coordinates) with its 95% interval, the total
/// (explicit + implicit), the pooled (q, alpha_T), the current alpha and explicit momentum, the check ratio
/// (A + alpha C)/(A - B) with the applied gradient (equals the explicit momentum), and sample sizes.
/// </summary>
public sealed record OnlineMomentumEstimate(double Implicit, double Lower, double Upper, double Total, double PooledImplicit, double PooledAlpha,
    double Alpha, double ExplicitMomentum, double ExplicitRatio, int CoordinatesUsed, long Versions)
{
    /// <summary>Effective step relative to the learning rate (pooled alpha_T / alpha; theory 1/M).</summary>
    public double AlphaRatio => PooledAlpha / Alpha;

    /// <summary>Mean staleness over the estimator's window (the same exponential weights as its moments; NaN before any update).</summary>
    public double MeanStaleness { get; init; } = double.NaN;

    /// <summary>
    /// The implicit momentum the queueing model predicts from the mean staleness alone: <c>s / (1 + s)</c>, which is
    /// <c>1 - 1/M</c> for the geometric law of M memoryless groups (mean M - 1). A first-order value for any staleness law;
    /// the momentum controller falls back on it when the trajectory estimate <see cref="Implicit"/> is implausible.
    /// </summary>
    public double StalenessImplicit => MeanStaleness / (1 + MeanStaleness);

    /// <summary>
    /// Whether <see cref="Implicit"/> is a value asynchrony can add under the queueing model, in [0, 1). Outside it the
    /// model does not describe the run (e.g. near-constant gradient times on threads, where staleness is a fixed delay).
    /// </summary>
    public bool ImplicitIsPlausible => Implicit >= 0 && Implicit < 1;

    /// <summary>Share of updates with staleness 0 over the window (the same weights; NaN before any update).</summary>
    public double FreshShare { get; init; } = double.NaN;

    /// <summary>Share of updates with staleness 1 over the window (NaN before any update).</summary>
    public double OnceShare { get; init; } = double.NaN;

    /// <summary>
    /// Total-variation distance between the window's staleness law, on the classes 0, 1 and 2 or more, and the geometric
    /// law of the same mean (the memoryless race of M groups: <c>P(0) = 1/(1+s)</c>, <c>P(1) = P(0) s/(1+s)</c>).
    /// </summary>
    public double StalenessDistanceFromGeometric
    {
        get
        {
            double r = MeanStaleness / (1 + MeanStaleness), p0 = 1 - r, p1 = p0 * r, rest = r * r;
            double q0 = FreshShare, q1 = OnceShare, qRest = Math.Max(0, 1 - q0 - q1);
            return 0.5 * (Math.Abs(q0 - p0) + Math.Abs(q1 - p1) + Math.Abs(qRest - rest));
        }
    }

    /// <summary>
    /// Whether the staleness looks memoryless, the law the trajectory estimate is derived under: within total variation
    /// 0.1 of the geometric law of its mean (<see cref="StalenessDistanceFromGeometric"/>). Near-constant gradient times
    /// (threads) fail it: staleness is then close to a fixed delay (at M = 2 about 25 % fresh updates and almost none
    /// staler than 1, where the geometric law has 50 % and 25 %).
    /// </summary>
    public bool StalenessLooksMemoryless => StalenessDistanceFromGeometric <= 0.1;

    /// <summary>Whether the trajectory estimate <see cref="Implicit"/> can be trusted: plausible, and the staleness memoryless.</summary>
    public bool TrajectoryEstimateHolds => ImplicitIsPlausible && StalenessLooksMemoryless;
}
