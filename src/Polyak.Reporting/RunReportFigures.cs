using System.Globalization;
using Polyak.Execution;

namespace Polyak.Reporting;

/// <summary>
/// The figures of one run's <c>report.html</c>, each as PNG and SVG in the run folder: the evaluation loss against updates
/// and against time (<c>loss</c>, <c>loss-time</c>), the accuracy for classifiers (<c>accuracy</c>) and the staleness
/// histogram with the geometric law of the same mean drawn over it (<c>staleness</c>).
/// </summary>
public static class RunReportFigures
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Width and height of every figure in pixels.</summary>
    public const int Width = 900, Height = 520;

    /// <summary>Writes the figures of <paramref name="record"/> into <paramref name="dir"/>; returns their base names (without extension).</summary>
    public static IReadOnlyList<string> Write(string dir, RunRecord record)
    {
        var figures = new List<(string Name, Func<ScottPlot.Plot> Draw)>
        {
            ("loss", () => LossFigure(record, time: false)),
            ("loss-time", () => LossFigure(record, time: true)),
        };
        if (record.Model.Classifier) figures.Add(("accuracy", () => AccuracyFigure(record)));
        figures.Add(("staleness", () => StalenessFigure(record)));
        // One after the other: ScottPlot's font cache is not meant for concurrent first use, and drawing them side by side
        // saved under 0.1 s.
        foreach (var f in figures)
        {
            var plot = f.Draw();
            plot.SavePng(Path.Combine(dir, f.Name + ".png"), Width, Height);
            plot.SaveSvg(Path.Combine(dir, f.Name + ".svg"), Width, Height);
        }
        return figures.Select(f => f.Name).ToList();
    }

    private static ScottPlot.Plot LossFigure(RunRecord r, bool time)
    {
        var plt = new ScottPlot.Plot();
        var (x, y) = RunCurves.Finite(time ? RunCurves.Time(r) : RunCurves.Updates(r), RunCurves.Loss(r));
        var line = plt.Add.Scatter(x, y);
        line.MarkerSize = x.Length <= 60 ? 4 : 0;
        line.LineWidth = 2;
        line.LegendText = "evaluation loss (fixed subset of the training split)";
        if (r.Config.TargetLoss is double target)
        {
            var t = plt.Add.HorizontalLine(target);
            t.LinePattern = ScottPlot.LinePattern.Dashed;
            t.LegendText = string.Create(C, $"target loss {target:G4}");
        }
        plt.XLabel(time ? RunCurves.TimeLabel(r) : "update");
        plt.YLabel("evaluation loss");
        plt.Title(time ? "Loss against time (hardware and statistical efficiency together)" : "Loss against updates (statistical efficiency)");
        plt.ShowLegend(ScottPlot.Alignment.UpperRight);
        return plt;
    }

    private static ScottPlot.Plot AccuracyFigure(RunRecord r)
    {
        var plt = new ScottPlot.Plot();
        var (u, _, a) = RunCurves.Accuracy(r);
        var line = plt.Add.Scatter(u, a.Select(v => 100 * v).ToArray());
        line.MarkerSize = u.Length <= 60 ? 4 : 0;
        line.LineWidth = 2;
        line.LegendText = "accuracy on the evaluation subset";
        var (hu, ha) = RunCurves.HeldOut(r);
        if (hu.Length > 0)
        {
            var h = plt.Add.Scatter(hu, ha.Select(v => 100 * v).ToArray());
            h.LineWidth = 2;
            h.MarkerSize = 4;
            h.LegendText = r.Config.Validation is null ? "test accuracy (held-out split)" : "validation accuracy (held-out split)";
        }
        if (r.Config.TargetAccuracy is double target)
        {
            var t = plt.Add.HorizontalLine(100 * target);
            t.LinePattern = ScottPlot.LinePattern.Dashed;
            t.LegendText = string.Create(C, $"target accuracy {100 * target:G4} %");
        }
        if (r.Summary.FinalAccuracy is double final && r.Curve.Count > 0)
        {
            var f = plt.Add.Marker(r.Curve[^1].Update, 100 * final, ScottPlot.MarkerShape.FilledDiamond, 10);
            f.LegendText = string.Create(C, $"final test accuracy {100 * final:F2} %");
        }
        plt.XLabel("update");
        plt.YLabel("accuracy (%)");
        plt.Title("Accuracy against updates");
        plt.ShowLegend(ScottPlot.Alignment.LowerRight);
        return plt;
    }

    private static ScottPlot.Plot StalenessFigure(RunRecord r)
    {
        var plt = new ScottPlot.Plot();
        var h = r.Summary.Staleness.Histogram;
        long total = h.Sum();
        int last = Array.FindLastIndex(h, c => c > 0);
        int shown = Math.Min(Math.Max(last, 0) + 1, 120);
        if (total > 0)
        {
            var bars = plt.Add.Bars(Enumerable.Range(0, shown).Select(k => (double)k).ToArray(), Enumerable.Range(0, shown).Select(k => (double)h[k] / total).ToArray());
            bars.LegendText = string.Create(C, $"measured ({total:N0} updates, mean {r.Summary.Staleness.Mean:F2}, max {r.Summary.Staleness.Max})");
            double m = r.Summary.Staleness.Mean, q = m / (1 + m);
            var law = plt.Add.Scatter(Enumerable.Range(0, shown).Select(k => (double)k).ToArray(), Enumerable.Range(0, shown).Select(k => (1 - q) * Math.Pow(q, k)).ToArray());
            law.LineWidth = 2;
            law.MarkerSize = 5;
            law.LegendText = string.Create(C, $"geometric law of the same mean, P(s = k) = (1 - q) q^k, q = {q:F3}");
            if (last >= shown) plt.Title(string.Create(C, $"Staleness distribution (first {shown} of {last + 1} values shown)"));
            else plt.Title("Staleness distribution");
        }
        else plt.Title("Staleness distribution (no updates)");
        plt.XLabel("staleness s (updates applied between a worker's read and its write)");
        plt.YLabel("share of updates");
        plt.Axes.Margins(bottom: 0);
        plt.ShowLegend(ScottPlot.Alignment.UpperRight);
        return plt;
    }
}
