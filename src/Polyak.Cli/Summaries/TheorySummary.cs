using Polyak.Theory;

namespace Polyak.Cli;

/// <summary>The <c>--json</c> line of <c>polyak theory</c>: one row per M and the settings.</summary>
/// <param name="Rows">One row per number of workers M.</param>
/// <param name="ExplicitMomentum">Explicit momentum mu_e.</param>
/// <param name="Distribution">Gradient-time law.</param>
/// <param name="Trajectories">Trajectories per M.</param>
/// <param name="Seconds">Wall seconds.</param>
/// <param name="Out">Output folder, if any.</param>
public sealed record TheorySummary(IReadOnlyList<TheoryRowSummary> Rows, double ExplicitMomentum, string Distribution, int Trajectories, double Seconds, string? Out)
{
    /// <summary>The summary of <paramref name="report"/>.</summary>
    public static TheorySummary Of(TheoryReport report, string? dir) => new(
        report.Rows.Select(r => new TheoryRowSummary(r.Workers, r.StalenessMean, r.StalenessPredicted, r.StalenessLaw, r.ChiSquare, r.ChiSquareDf,
            r.ChiSquarePValue, r.MuHat, r.MuHatCi, r.MuPredicted, r.AlphaRatio, r.AlphaRatioCi, r.AlphaRatioPredicted, r.MuLeastSquares,
            r.Lag1, r.Lag2, r.Lag2Ci, r.Lag2Exact, r.Supports, r.OnlineImplicit, r.OnlineImplicitCi, r.OnlineMu, r.OnlineAlphaRatio)).ToArray(),
        report.Options.ExplicitMomentum, report.Options.Distribution, report.Options.Trajectories, report.WallSeconds, dir);
}
