namespace Polyak.Theory;

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

    /// <summary>
    /// Which lag model the data support: "exact", "additive", "neither" (the fitted lag2 fits neither model's value) or
    /// "indistinguishable" (M = 1, or mu_e = 0 where both predict lag2 = 0 and the fit agrees).
    /// </summary>
    public required string Supports { get; init; }

    /// <summary>Why <see cref="Supports"/> says what it says.</summary>
    public string SupportsReason { get; init; } = "";

    /// <summary>
    /// The bootstrap intervals have zero width: every trajectory is identical (e.g. constant gradient times), so there is
    /// no sampling uncertainty to show and the intervals are not intervals.
    /// </summary>
    public bool IntervalsDegenerate { get; init; }

    /// <summary>Lag-1 autocorrelation of the thinned staleness values the chi-square test uses (it assumes them independent).</summary>
    public double? ChiSquareLag1Correlation { get; init; }

    /// <summary>Whether the chi-square p-value is valid: the thinned values show no autocorrelation beyond 3 / sqrt(n).</summary>
    public bool ChiSquareValid { get; init; } = true;

    /// <summary>
    /// Whether the online estimator's assumptions hold (the memoryless race: exponential gradient times); with constant
    /// or log-normal times its values are not meaningful and are flagged.
    /// </summary>
    public bool OnlineValid { get; init; } = true;

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
