using System.Globalization;
using Polyak.Execution;
using Polyak.Optimization;

namespace Polyak.Reporting;

/// <summary>Plots closed-loop momentum control's series (<c>momentum.png</c>, <c>momentum.svg</c>; the run folder's <c>momentum.csv</c> holds its numbers).</summary>
public static class MomentumControlFigure
{
    /// <summary>Writes the figure into <paramref name="dir"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string dir, AutoMomentumRecord record)
    {
        var plt = new ScottPlot.Plot();
        var xs = record.Series.Select(p => (double)p.Update).ToArray();
        if (xs.Length > 0)
        {
            var ex = plt.Add.Scatter(xs, record.Series.Select(p => p.Explicit).ToArray());
            ex.MarkerSize = 0;
            ex.LineWidth = 2;
            ex.LegendText = "explicit momentum mu_e (set by the controller)";
            var fin = record.Series.Where(p => double.IsFinite(p.Total)).ToArray();
            if (fin.Length > 0)
            {
                var tot = plt.Add.Scatter(fin.Select(p => (double)p.Update).ToArray(), fin.Select(p => p.Total).ToArray());
                tot.MarkerSize = 0;
                tot.LineWidth = 2;
                tot.LegendText = "estimated total momentum mu_hat (explicit + implicit)";
            }
        }
        var target = plt.Add.HorizontalLine(record.Target);
        target.LinePattern = ScottPlot.LinePattern.Dashed;
        target.LegendText = string.Create(CultureInfo.InvariantCulture, $"target {record.Target:G3} ({record.TargetSource})");
        plt.Title(string.Create(CultureInfo.InvariantCulture, $"Closed-loop momentum (gain {record.Gain:G3}, period {record.Period}, bounds [{record.Min:G3}, {record.Max:G3}])"));
        plt.XLabel("update");
        plt.YLabel("momentum");
        plt.ShowLegend(ScottPlot.Edge.Bottom); // outside the data area: the series cover every corner
        string png = Path.Combine(dir, "momentum.png");
        string svg = Path.Combine(dir, "momentum.svg");
        plt.SavePng(png, 900, 560);
        plt.SaveSvg(svg, 900, 560);
        return [png, svg];
    }
}
