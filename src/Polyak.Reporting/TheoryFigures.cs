using System.Globalization;
using Polyak.Execution;
using Polyak.Theory;

namespace Polyak.Reporting;

/// <summary>The theory report's figures (PNG + SVG): the staleness laws and mu_hat against 1 - 1/M.</summary>
public static class TheoryFigures
{
    /// <summary>Writes both figures into <paramref name="dir"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(TheoryReport report, string dir) => [.. PlotStaleness(report, dir), .. PlotMomentum(report, dir)];

    /// <summary>The measured staleness laws against the predicted ones (log scale).</summary>
    public static IEnumerable<string> PlotStaleness(TheoryReport report, string dir)
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

    /// <summary>The fitted total momentum against 1 - 1/M.</summary>
    public static IEnumerable<string> PlotMomentum(TheoryReport report, string dir)
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
