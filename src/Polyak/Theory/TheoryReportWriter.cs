using System.Globalization;
using System.Text;
using Polyak.Execution;

namespace Polyak.Theory;

/// <summary>Writes a <see cref="TheoryReport"/>: theory.csv, theory.json, and PNG + SVG plots of the staleness laws and of mu_hat against 1 - 1/M.</summary>
public static class TheoryReportWriter
{
    /// <summary>Writes every file into <paramref name="dir"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(TheoryReport report, string dir)
    {
        Directory.CreateDirectory(dir);
        var files = new List<string>();
        string csv = Path.Combine(dir, "theory.csv");
        Trainer.WriteTextAtomic(csv, Csv(report));
        files.Add(csv);
        string json = Path.Combine(dir, "theory.json");
        Json.WriteFileAtomic(json, report);
        files.Add(json);
        files.AddRange(PlotStaleness(report, dir));
        files.AddRange(PlotMomentum(report, dir));
        return files;
    }

    /// <summary>The table as CSV.</summary>
    public static string Csv(TheoryReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("workers,staleness_mean,staleness_predicted,staleness_rel_error,law,chi_square,chi_square_df,chi_square_p,mu_hat,mu_hat_lo,mu_hat_hi,mu_predicted,alpha,alpha_ratio,alpha_ratio_lo,alpha_ratio_hi,alpha_ratio_predicted,lag1,lag2,lag2_lo,lag2_hi,lag2_exact,rss_additive_over_exact,supports,online_implicit,online_implicit_lo,online_implicit_hi,online_total,online_alpha_ratio\n");
        foreach (var r in report.Rows)
        {
            sb.Append(c, $"{r.Workers},{r.StalenessMean:G6},{r.StalenessPredicted},{r.StalenessRelativeError:G4},\"{r.StalenessLaw}\",{r.ChiSquare?.ToString("G5", c)},{r.ChiSquareDf},{r.ChiSquarePValue?.ToString("G4", c)},");
            sb.Append(c, $"{r.MuHat:G6},{r.MuHatCi[0]:G6},{r.MuHatCi[1]:G6},{r.MuPredicted:G6},{r.Alpha:G6},{r.AlphaRatio:G6},{r.AlphaRatioCi[0]:G6},{r.AlphaRatioCi[1]:G6},{r.AlphaRatioPredicted:G6},");
            sb.Append(c, $"{r.Lag1:G6},{r.Lag2:G6},{r.Lag2Ci[0]:G6},{r.Lag2Ci[1]:G6},{r.Lag2Exact:G6},{r.RssRatioAdditiveOverExact:G5},{r.Supports},{r.OnlineImplicit:G6},{r.OnlineImplicitCi[0]:G6},{r.OnlineImplicitCi[1]:G6},{r.OnlineMu:G6},{r.OnlineAlphaRatio:G6}\n");
        }
        return sb.ToString();
    }

    private static IEnumerable<string> PlotStaleness(TheoryReport report, string dir)
    {
        var plt = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        foreach (var r in report.Rows.Where(r => r.Workers > 1))
        {
            var color = palette.GetColor(index++);
            long n = r.StalenessHistogram.Sum();
            int maxL = Math.Min(r.StalenessHistogram.Length, Math.Max(8, 4 * r.Workers));
            var xs = Enumerable.Range(0, maxL).Select(l => (double)l).ToArray();
            // log10 scale: the geometric laws are straight lines, and M = 32's tail stays readable next to M = 2.
            var measured = xs.Select(x => n == 0 ? 0 : (double)r.StalenessHistogram[(int)x] / n).ToArray();
            var seen = xs.Zip(measured).Where(p => p.Second > 0).ToArray();
            var dots = plt.Add.Scatter(seen.Select(p => p.First).ToArray(), seen.Select(p => Math.Log10(p.Second)).ToArray());
            dots.LineWidth = 0;
            dots.MarkerSize = 4;
            dots.Color = color;
            dots.LegendText = $"M = {r.Workers} measured";
            var law = StalenessLawFor(report, r.Workers);
            if (law is not null && law.PointMass is null)
            {
                var line = plt.Add.Scatter(xs, xs.Select(x => Math.Log10(Math.Max(1e-12, law.Probability((int)x)))).ToArray());
                line.MarkerSize = 0;
                line.Color = color;
                line.LegendText = $"{law.Name}";
            }
        }
        plt.Title($"Staleness: measured vs predicted law ({report.Options.Distribution} gradient times)");
        plt.XLabel("staleness tau");
        plt.YLabel("log10 P(tau)");
        plt.ShowLegend(ScottPlot.Alignment.UpperRight);
        return Save(plt, dir, "staleness");
    }

    private static StalenessLaw? StalenessLawFor(TheoryReport report, int m)
    {
        var clock = new ClockModel(new SimulationOptions { Distribution = report.Options.Distribution }, m, m, 1);
        var law = StalenessLaw.For(clock);
        return law.HasDistribution ? law : null;
    }

    private static IEnumerable<string> PlotMomentum(TheoryReport report, string dir)
    {
        var plt = new ScottPlot.Plot();
        var rows = report.Rows;
        var xs = rows.Select(r => Math.Log2(r.Workers)).ToArray();
        double mue = report.Options.ExplicitMomentum;
        var fine = Enumerable.Range(0, 101).Select(i => xs.Min() + (xs.Max() - xs.Min()) * i / 100.0).ToArray();
        var theory = plt.Add.Scatter(fine, fine.Select(x => mue + 1 - 1 / Math.Pow(2, x)).ToArray());
        theory.MarkerSize = 0;
        theory.LegendText = mue == 0 ? "theory 1 - 1/M" : $"additive theory {mue.ToString("G3", CultureInfo.InvariantCulture)} + 1 - 1/M";
        var fit = plt.Add.Scatter(xs, rows.Select(r => r.MuHat).ToArray());
        fit.LineWidth = 0;
        fit.MarkerSize = 7;
        fit.LegendText = "mu_hat (offline fit, 95% bootstrap CI)";
        foreach (var r in rows)
        {
            var ci = plt.Add.Line(Math.Log2(r.Workers), r.MuHatCi[0], Math.Log2(r.Workers), r.MuHatCi[1]);
            ci.Color = fit.Color;
            ci.LineWidth = 2;
        }
        var online = plt.Add.Scatter(xs.Select(x => x + 0.05).ToArray(), rows.Select(r => r.OnlineMu).ToArray());
        online.LineWidth = 0;
        online.MarkerSize = 6;
        online.MarkerShape = ScottPlot.MarkerShape.OpenSquare;
        online.LegendText = "online estimator: mu_e + implicit (median over coordinates)";
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, rows.Select(r => r.Workers.ToString(CultureInfo.InvariantCulture)).ToArray());
        plt.Title("Asynchrony begets momentum: fitted total momentum vs M");
        plt.XLabel("asynchronous workers M (log scale)");
        plt.YLabel("momentum");
        plt.ShowLegend(ScottPlot.Alignment.LowerRight);
        return Save(plt, dir, "momentum");
    }

    private static IEnumerable<string> Save(ScottPlot.Plot plt, string dir, string name)
    {
        string png = Path.Combine(dir, name + ".png");
        string svg = Path.Combine(dir, name + ".svg");
        plt.SavePng(png, 900, 560);
        plt.SaveSvg(svg, 900, 560);
        return [png, svg];
    }
}
