using Polyak.Execution;

namespace Polyak.Theory;

/// <summary>The theory report as tables: <c>theory.csv</c> (one row per M) and <c>theory.json</c> (the whole report).</summary>
public static class TheoryTable
{
    /// <summary>Writes both files into <paramref name="dir"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(TheoryReport report, string dir)
    {
        Directory.CreateDirectory(dir);
        string csv = Csv(report).WriteTo(Path.Combine(dir, "theory.csv"));
        string json = Path.Combine(dir, "theory.json");
        Json.WriteFileAtomic(json, report);
        return [csv, json];
    }

    /// <summary>The table as CSV.</summary>
    public static CsvWriter Csv(TheoryReport report)
    {
        var csv = new CsvWriter("workers", "staleness_mean", "staleness_predicted", "staleness_rel_error", "law", "chi_square", "chi_square_df", "chi_square_p",
            "mu_hat", "mu_hat_lo", "mu_hat_hi", "mu_predicted", "alpha", "alpha_ratio", "alpha_ratio_lo", "alpha_ratio_hi", "alpha_ratio_predicted",
            "lag1", "lag2", "lag2_lo", "lag2_hi", "lag2_exact", "rss_additive_over_exact", "supports",
            "online_implicit", "online_implicit_lo", "online_implicit_hi", "online_total", "online_alpha_ratio",
            "intervals_degenerate", "chi_square_lag1_correlation", "chi_square_valid", "online_valid", "supports_reason");
        foreach (var r in report.Rows)
        {
            csv.Integer(r.Workers).Number(r.StalenessMean).Number(r.StalenessPredicted).Number(r.StalenessRelativeError, "G4").Text(r.StalenessLaw)
                .Number(r.ChiSquare, "G5").Integer(r.ChiSquareDf).Number(r.ChiSquarePValue, "G4")
                .Number(r.MuHat).Number(r.MuHatCi[0]).Number(r.MuHatCi[1]).Number(r.MuPredicted).Number(r.Alpha)
                .Number(r.AlphaRatio).Number(r.AlphaRatioCi[0]).Number(r.AlphaRatioCi[1]).Number(r.AlphaRatioPredicted)
                .Number(r.Lag1).Number(r.Lag2).Number(r.Lag2Ci[0]).Number(r.Lag2Ci[1]).Number(r.Lag2Exact).Number(r.RssRatioAdditiveOverExact, "G5").Text(r.Supports)
                .Number(r.OnlineImplicit).Number(r.OnlineImplicitCi[0]).Number(r.OnlineImplicitCi[1]).Number(r.OnlineMu).Number(r.OnlineAlphaRatio)
                .Boolean(r.IntervalsDegenerate).Number(r.ChiSquareLag1Correlation, "G3").Boolean(r.ChiSquareValid).Boolean(r.OnlineValid).Text(r.SupportsReason)
                .EndRow();
        }
        return csv;
    }
}
