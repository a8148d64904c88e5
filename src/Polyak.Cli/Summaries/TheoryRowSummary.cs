namespace Polyak.Cli;

/// <summary>One M of the theory summary (see <c>TheoryRow</c> for each value's meaning).</summary>
public sealed record TheoryRowSummary(int Workers, double StalenessMean, double StalenessPredicted, string StalenessLaw, double? ChiSquare,
    int? ChiSquareDf, double? ChiSquareP, double MuHat, double[] MuHatCi, double MuPredicted, double AlphaRatio, double[] AlphaRatioCi,
    double AlphaRatioPredicted, double MuLeastSquares, double Lag1, double Lag2, double[] Lag2Ci, double Lag2Exact, string Supports,
    double OnlineImplicit, double[] OnlineImplicitCi, double OnlineMu, double OnlineAlphaRatio);
