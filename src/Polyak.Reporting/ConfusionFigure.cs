using System.Globalization;
using Polyak.Models;

namespace Polyak.Reporting;

/// <summary>Draws a confusion matrix (<c>confusion.png</c>, <c>confusion.svg</c>): rows are true classes, columns predictions, each cell its count and row share.</summary>
public static class ConfusionFigure
{
    /// <summary>Writes the figure of <paramref name="evaluation"/> into <paramref name="dir"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string dir, ModelEvaluation evaluation, string title)
    {
        var confusion = evaluation.Confusion ?? throw new ArgumentException("a regression has no confusion matrix");
        int k = confusion.Length;
        var share = new double[k, k];
        for (int t = 0; t < k; t++)
        {
            long total = confusion[t].Sum();
            for (int p = 0; p < k; p++) share[t, p] = total == 0 ? 0 : (double)confusion[t][p] / total;
        }
        var plt = new ScottPlot.Plot();
        var map = plt.Add.Heatmap(share);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.FlipVertically = false;
        // Cell (t, p) is centred at x = p, y = k - 1 - t (ScottPlot draws row 0 at the top).
        var c = CultureInfo.InvariantCulture;
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
            {
                if (k > 20) break;
                var text = plt.Add.Text(confusion[t][p].ToString("N0", c), p, k - 1 - t);
                text.LabelFontSize = k <= 10 ? 12 : 9;
                text.LabelFontColor = share[t, p] > 0.5 ? ScottPlot.Colors.Black : ScottPlot.Colors.White;
                text.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
            }
        plt.Add.ColorBar(map).Label = "share of the true class";
        var ticks = Enumerable.Range(0, k).ToArray();
        plt.Axes.Bottom.SetTicks(ticks.Select(i => (double)i).ToArray(), ticks.Select(i => i.ToString(c)).ToArray());
        plt.Axes.Left.SetTicks(ticks.Select(i => (double)(k - 1 - i)).ToArray(), ticks.Select(i => i.ToString(c)).ToArray());
        plt.XLabel("predicted class");
        plt.YLabel("true class");
        plt.Title(string.Create(c, $"{title}: accuracy {evaluation.Accuracy * 100:F2} % on {evaluation.Rows:N0} rows"));
        plt.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        string png = Path.Combine(dir, "confusion.png");
        string svg = Path.Combine(dir, "confusion.svg");
        plt.SavePng(png, 760, 680);
        plt.SaveSvg(svg, 760, 680);
        return [png, svg];
    }
}
