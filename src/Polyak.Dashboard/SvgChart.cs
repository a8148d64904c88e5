using System.Globalization;
using System.Net;
using System.Text;

namespace Polyak.Dashboard;

/// <summary>One line of a chart: its name and points (non-finite points are skipped).</summary>
public sealed record ChartSeries(string Name, double[] X, double[] Y, bool Dashed = false);

/// <summary>
/// Server-rendered SVG charts for the dashboard (no script, no chart library): line charts with "nice" axis ticks and a
/// legend, and a bar chart with an overlaid line (the staleness histogram and its geometric law). Each line is a
/// <c>polyline</c> carrying <c>data-series</c> and <c>data-points</c> attributes, so a page (or a test) can read how many
/// points it shows.
/// </summary>
public static class SvgChart
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
    private const int W = 640, H = 360, Left = 64, Right = 16, Top = 30, Bottom = 70;

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string F(double v) => v.ToString("0.##", C);

    /// <summary>A line chart of <paramref name="series"/>; <paramref name="hline"/> draws a dashed horizontal reference line (a target).</summary>
    public static string Lines(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, double? hline = null, string? hlineLabel = null)
    {
        var pts = series.Select(s => Finite(s.X, s.Y)).ToList();
        var xs = pts.SelectMany(p => p.Select(q => q.X)).ToList();
        var ys = pts.SelectMany(p => p.Select(q => q.Y)).ToList();
        if (hline is double h && double.IsFinite(h)) ys.Add(h);
        var sb = Begin(title);
        if (xs.Count == 0)
        {
            sb.Append($"<text x=\"{W / 2}\" y=\"{H / 2}\" text-anchor=\"middle\" fill=\"#888\">no points yet</text>");
            for (int i = 0; i < series.Count; i++)
                sb.Append($"<polyline data-series=\"{E(series[i].Name)}\" data-points=\"0\" points=\"\" fill=\"none\"/>");
            return End(sb);
        }
        var (x0, x1, xt) = Axis(xs.Min(), xs.Max());
        var (y0, y1, yt) = Axis(ys.Min(), ys.Max());
        Frame(sb, x0, x1, xt, y0, y1, yt, xLabel, yLabel);
        for (int i = 0; i < series.Count; i++)
        {
            string color = Palette[i % Palette.Length];
            sb.Append($"<polyline data-series=\"{E(series[i].Name)}\" data-points=\"{pts[i].Count}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{(series[i].Dashed ? " stroke-dasharray=\"6 4\"" : "")} points=\"");
            foreach (var (x, y) in pts[i]) sb.Append(F(Px(x, x0, x1))).Append(',').Append(F(Py(y, y0, y1))).Append(' ');
            sb.Append("\"/>\n");
            if (pts[i].Count == 1)
                sb.Append($"<circle cx=\"{F(Px(pts[i][0].X, x0, x1))}\" cy=\"{F(Py(pts[i][0].Y, y0, y1))}\" r=\"3\" fill=\"{color}\"/>");
        }
        if (hline is double hv && double.IsFinite(hv))
        {
            double y = Py(hv, y0, y1);
            sb.Append($"<line x1=\"{Left}\" x2=\"{W - Right}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"#444\" stroke-dasharray=\"5 4\"/>");
            if (hlineLabel is not null) sb.Append($"<text x=\"{W - Right - 4}\" y=\"{F(y - 4)}\" text-anchor=\"end\" font-size=\"11\" fill=\"#444\">{E(hlineLabel)}</text>");
        }
        Legend(sb, series.Select(s => s.Name).ToList());
        return End(sb);
    }

    /// <summary>A bar chart of <paramref name="heights"/> at 0, 1, 2, ... with an optional overlaid line (same x).</summary>
    public static string Bars(string title, string xLabel, string yLabel, string barName, double[] heights, string? lineName = null, double[]? line = null)
    {
        var sb = Begin(title);
        if (heights.Length == 0)
        {
            sb.Append($"<text x=\"{W / 2}\" y=\"{H / 2}\" text-anchor=\"middle\" fill=\"#888\">no updates yet</text>");
            return End(sb);
        }
        double top = Math.Max(heights.Max(), line?.Max() ?? 0);
        // x: one slot per bar, ticks at whole numbers within the bars
        double x0 = -0.5, x1 = heights.Length - 0.5;
        var xt = Axis(0, Math.Max(1, heights.Length - 1)).Ticks.Where(t => t >= 0 && t <= heights.Length - 1 && Math.Abs(t - Math.Round(t)) < 1e-9).ToArray();
        var (y0, y1, yt) = Axis(0, top > 0 ? top : 1);
        Frame(sb, x0, x1, xt, y0, y1, yt, xLabel, yLabel);
        double bw = Math.Max(1, (Px(1, x0, x1) - Px(0, x0, x1)) * 0.8);
        sb.Append($"<g data-series=\"{E(barName)}\" data-points=\"{heights.Length}\" fill=\"{Palette[0]}\">");
        for (int k = 0; k < heights.Length; k++)
        {
            double yTop = Py(heights[k], y0, y1), yBase = Py(0, y0, y1);
            sb.Append($"<rect x=\"{F(Px(k, x0, x1) - bw / 2)}\" y=\"{F(yTop)}\" width=\"{F(bw)}\" height=\"{F(Math.Max(0, yBase - yTop))}\"/>");
        }
        sb.Append("</g>\n");
        var names = new List<string> { barName };
        if (line is not null && lineName is not null)
        {
            sb.Append($"<polyline data-series=\"{E(lineName)}\" data-points=\"{line.Length}\" fill=\"none\" stroke=\"{Palette[1]}\" stroke-width=\"2\" points=\"");
            for (int k = 0; k < line.Length; k++) sb.Append(F(Px(k, x0, x1))).Append(',').Append(F(Py(line[k], y0, y1))).Append(' ');
            sb.Append("\"/>\n");
            names.Add(lineName);
        }
        Legend(sb, names);
        return End(sb);
    }

    private static List<(double X, double Y)> Finite(double[] x, double[] y) =>
        Enumerable.Range(0, Math.Min(x.Length, y.Length)).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).Select(i => (x[i], y[i])).ToList();

    private static StringBuilder Begin(string title)
    {
        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"100%\" role=\"img\" aria-label=\"{E(title)}\" font-family=\"system-ui,Helvetica,Arial,sans-serif\" font-size=\"12\">\n");
        sb.Append($"<rect width=\"{W}\" height=\"{H}\" fill=\"#fff\"/><text x=\"{W / 2}\" y=\"18\" text-anchor=\"middle\" font-weight=\"600\">{E(title)}</text>\n");
        return sb;
    }

    private static string End(StringBuilder sb) => sb.Append("</svg>\n").ToString();

    private static double Px(double x, double x0, double x1) => Left + (x - x0) / (x1 - x0) * (W - Left - Right);

    private static double Py(double y, double y0, double y1) => H - Bottom - (y - y0) / (y1 - y0) * (H - Top - Bottom);

    private static void Frame(StringBuilder sb, double x0, double x1, double[] xt, double y0, double y1, double[] yt, string xLabel, string yLabel)
    {
        sb.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{W - Left - Right}\" height=\"{H - Top - Bottom}\" fill=\"none\" stroke=\"#999\"/>\n");
        foreach (double t in xt)
        {
            double x = Px(t, x0, x1);
            sb.Append($"<line x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{Top}\" y2=\"{H - Bottom}\" stroke=\"#eee\"/><text x=\"{F(x)}\" y=\"{H - Bottom + 15}\" text-anchor=\"middle\" fill=\"#444\">{Tick(t)}</text>");
        }
        foreach (double t in yt)
        {
            double y = Py(t, y0, y1);
            sb.Append($"<line x1=\"{Left}\" x2=\"{W - Right}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"#eee\"/><text x=\"{Left - 5}\" y=\"{F(y + 4)}\" text-anchor=\"end\" fill=\"#444\">{Tick(t)}</text>");
        }
        sb.Append($"\n<text x=\"{(Left + W - Right) / 2}\" y=\"{H - Bottom + 32}\" text-anchor=\"middle\">{E(xLabel)}</text>");
        sb.Append($"<text transform=\"translate(14 {(Top + H - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">{E(yLabel)}</text>\n");
    }

    private static void Legend(StringBuilder sb, List<string> names)
    {
        double x = Left, y = H - 14;
        for (int i = 0; i < names.Count; i++)
        {
            string label = names[i].Length > 40 ? names[i][..37] + "..." : names[i];
            double width = 28 + 6.5 * label.Length;
            if (x + width > W - Right && x > Left)
            {
                sb.Append($"<text x=\"{F(x)}\" y=\"{F(y - 3)}\" fill=\"#666\">+{names.Count - i} more</text>");
                return;
            }
            sb.Append($"<rect x=\"{F(x)}\" y=\"{F(y - 8)}\" width=\"16\" height=\"4\" fill=\"{Palette[i % Palette.Length]}\"/><text x=\"{F(x + 20)}\" y=\"{F(y - 3)}\">{E(label)}</text>");
            x += width;
        }
    }

    private static string Tick(double v)
    {
        double a = Math.Abs(v);
        return a != 0 && (a >= 1e5 || a < 1e-3) ? v.ToString("0.##E+0", C) : v.ToString("0.####", C);
    }

    /// <summary>Axis limits padded to "nice" ticks (1, 2 or 5 times a power of ten), about 6 of them.</summary>
    internal static (double Lo, double Hi, double[] Ticks) Axis(double min, double max)
    {
        if (!(max > min))
        {
            double pad = Math.Abs(min) > 0 ? Math.Abs(min) * 0.1 : 1;
            min -= pad;
            max += pad;
        }
        double raw = (max - min) / 6, mag = Math.Pow(10, Math.Floor(Math.Log10(raw))), step = mag;
        foreach (double m in new[] { 1.0, 2, 5, 10 })
            if (m * mag >= raw) { step = m * mag; break; }
        double lo = Math.Floor(min / step) * step, hi = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (double t = lo; t <= hi + step * 1e-9; t += step) ticks.Add(Math.Round(t / step) * step);
        return (lo, hi, ticks.ToArray());
    }
}
