using System.Globalization;

namespace Polyak.Dashboard;

/// <summary>The dashboard's charts of one run or of several runs overlaid, as SVG (see <see cref="SvgChart"/>).</summary>
public static class RunCharts
{
    /// <summary>Chart names for one run.</summary>
    public static readonly string[] Single = ["loss", "loss-time", "accuracy", "staleness", "momentum"];

    /// <summary>Chart names for an overlay of several runs.</summary>
    public static readonly string[] Overlay = ["loss", "loss-time", "accuracy"];

    /// <summary>The chart <paramref name="name"/> of the runs (label, series); null for an unknown name.</summary>
    public static string? Render(string name, IReadOnlyList<(string Label, RunSeries Series)> runs)
    {
        if (runs.Count == 0) return null;
        var first = runs[0].Series;
        string timeLabel = runs.All(r => r.Series.IsSimulated) ? first.TimeLabel
            : runs.Any(r => r.Series.IsSimulated) ? "time (simulated runs: simulated time; others: seconds)" : first.TimeLabel;
        switch (name)
        {
            case "loss":
                return SvgChart.Lines("Evaluation loss against updates", "update", "evaluation loss",
                    runs.Select(r => new ChartSeries(r.Label, r.Series.Update, r.Series.Loss)).ToList(),
                    runs.Count == 1 ? first.Number("config.target_loss") : null, "target loss");
            case "loss-time":
                return SvgChart.Lines("Evaluation loss against time", timeLabel, "evaluation loss",
                    runs.Select(r => new ChartSeries(r.Label, r.Series.Time(), r.Series.Loss)).ToList());
            case "accuracy":
            {
                var series = runs.Select(r => new ChartSeries(r.Label + (runs.Count == 1 ? " (evaluation subset)" : ""), r.Series.Update, r.Series.Accuracy.Select(a => 100 * a).ToArray())).ToList();
                if (runs.Count == 1 && first.HeldOut.Any(double.IsFinite))
                    series.Add(new ChartSeries("held-out split", first.Update, first.HeldOut.Select(a => 100 * a).ToArray()));
                double? target = runs.Count == 1 ? first.Number("config.target_accuracy") * 100 : null;
                return SvgChart.Lines("Accuracy against updates", "update", "accuracy (%)", series, target, "target accuracy");
            }
            case "staleness" when runs.Count == 1:
            {
                var h = first.Staleness;
                long total = h.Sum();
                int last = Array.FindLastIndex(h, c => c > 0), shown = Math.Min(last + 1, 100);
                var share = Enumerable.Range(0, Math.Max(shown, 0)).Select(k => total == 0 ? 0 : (double)h[k] / total).ToArray();
                double mean = first.Number("summary.staleness.mean") ?? 0, q = mean / (1 + mean);
                var law = Enumerable.Range(0, share.Length).Select(k => (1 - q) * Math.Pow(q, k)).ToArray();
                return SvgChart.Bars(string.Create(CultureInfo.InvariantCulture, $"Staleness ({total:N0} updates, mean {mean:F2})"), "staleness", "share of updates",
                    "measured", share, "geometric law of the same mean", law);
            }
            case "momentum" when runs.Count == 1:
            {
                var series = new List<ChartSeries> { new("explicit momentum in force", first.Update, first.Momentum) };
                if (first.ControlUpdate.Length > 0)
                    series.Add(new ChartSeries("estimated total momentum (controller)", first.ControlUpdate, first.ControlTotal, Dashed: true));
                return SvgChart.Lines("Momentum over the run", "update", "momentum", series);
            }
            default:
                return null;
        }
    }
}
