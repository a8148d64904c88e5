using System.Globalization;
using System.Text;
using System.Text.Json;
using Polyak.Execution;

namespace Polyak.Reporting;

/// <summary>
/// Several runs on one page (<c>index.html</c> in its own folder): their loss and accuracy curves overlaid against
/// updates and against time, a table of the settings in which they differ, and a table of their outcomes. The folder
/// also gets <c>comparison.json</c> (the runs compared and their outcomes), which marks it as Polyak's.
/// </summary>
public static class ComparisonReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The file that marks a folder as a comparison Polyak wrote (it may be rewritten).</summary>
    public const string MarkerFile = "comparison.json";

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="dir"/> holds files Polyak did not write.</summary>
    public static void CheckOutput(string dir)
    {
        if (File.Exists(dir)) throw new ArgumentException($"--out: '{dir}' is a file; give a folder");
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any() && !File.Exists(Path.Combine(dir, MarkerFile)))
            throw new ArgumentException($"--out: folder '{dir}' holds files Polyak did not write (no {MarkerFile}); choose a new or empty folder");
    }

    /// <summary>Writes the comparison of <paramref name="runs"/> (folder, record) into <paramref name="dir"/>; returns the page's path.</summary>
    public static string Write(string dir, IReadOnlyList<(string Folder, RunRecord Record)> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("report: give at least one run folder");
        CheckOutput(dir);
        Directory.CreateDirectory(dir);
        var labels = Labels(runs.Select(r => r.Folder).ToList());
        var figures = new List<(string Name, string Caption)>();
        Save(dir, "loss", Overlay(runs, labels, "update", "evaluation loss", "Loss against updates", r => RunCurves.Finite(RunCurves.Updates(r), RunCurves.Loss(r))), figures, "Evaluation loss against updates (statistical efficiency).");
        bool simulated = runs.All(r => RunCurves.Simulated(r.Record)), mixed = !simulated && runs.Any(r => RunCurves.Simulated(r.Record));
        string timeLabel = simulated ? "simulated time (mean compute times)" : mixed ? "time (simulated runs: simulated time; others: seconds)" : "training seconds";
        Save(dir, "loss-time", Overlay(runs, labels, timeLabel, "evaluation loss", "Loss against time", r => RunCurves.Finite(RunCurves.Time(r), RunCurves.Loss(r))), figures, $"Evaluation loss against {timeLabel}.");
        if (runs.Any(r => r.Record.Model.Classifier))
        {
            Save(dir, "accuracy", Overlay(runs, labels, "update", "accuracy (%)", "Accuracy against updates", r =>
            {
                var (u, _, a) = RunCurves.Accuracy(r);
                return (u, a.Select(v => 100 * v).ToArray());
            }), figures, "Accuracy on the evaluation subset against updates.");
        }

        var sb = new StringBuilder();
        ReportHtml.Head(sb, $"Polyak: {runs.Count} runs compared");
        sb.Append(C, $"<h1>{runs.Count} runs compared</h1>\n");
        sb.Append("<h2>Outcomes</h2>\n<table><tr><th>run</th><th>status</th><th>updates</th><th>final eval loss</th><th>test accuracy</th><th>training s</th><th>samples/s</th><th>staleness mean</th><th>updates to target</th><th>time to target</th></tr>\n");
        for (int i = 0; i < runs.Count; i++)
        {
            var (folder, r) = runs[i];
            var s = r.Summary;
            string link = File.Exists(Path.Combine(folder, RunReport.FileName))
                ? $"<a href=\"{ReportHtml.E(new Uri(Path.Combine(Path.GetFullPath(folder), RunReport.FileName)).AbsoluteUri)}\">{ReportHtml.E(labels[i])}</a>" : ReportHtml.E(labels[i]);
            string target = s.ReachedTarget is true ? s.UpdatesToTarget?.ToString("N0", C) ?? "" : s.ReachedTarget is false ? "not reached" : "";
            string time = s.ReachedTarget is true ? (s.SimulatedTimeToTarget ?? s.TimeToTarget)?.ToString("G4", C) ?? "" : "";
            sb.Append(C, $"<tr><td>{link}</td><td class=\"status-{ReportHtml.E(r.Status)}\">{ReportHtml.E(r.Status)}</td><td class=\"n\">{s.Updates:N0}</td><td class=\"n\">{s.FinalLoss:G5}</td><td class=\"n\">{(s.FinalAccuracy is double a ? (100 * a).ToString("F2", C) + " %" : "")}</td><td class=\"n\">{s.WallSeconds:F2}</td><td class=\"n\">{s.SamplesPerSecond:N0}</td><td class=\"n\">{s.Staleness.Mean:F2}</td><td class=\"n\">{target}</td><td class=\"n\">{time}</td></tr>\n");
        }
        sb.Append("</table>\n");

        var configs = runs.Select(r => RunFacts.Config(r.Record).ToDictionary(kv => kv.Key, kv => kv.Value)).ToList();
        var keys = configs.SelectMany(d => d.Keys).Distinct().ToList();
        var differing = keys.Where(k => configs.Select(d => d.GetValueOrDefault(k) ?? "").Distinct().Count() > 1).ToList();
        var shared = keys.Except(differing).Select(k => new KeyValuePair<string, string>(k, configs[0][k])).ToList();
        sb.Append("<h2>Settings that differ</h2>\n");
        if (differing.Count == 0) sb.Append("<p>None: the runs share every setting (they differ only in when they ran).</p>\n");
        else
        {
            sb.Append("<table><tr><th>setting</th>");
            foreach (string l in labels) sb.Append("<th>").Append(ReportHtml.E(l)).Append("</th>");
            sb.Append("</tr>\n");
            foreach (string k in differing)
            {
                sb.Append("<tr><th>").Append(ReportHtml.E(k)).Append("</th>");
                foreach (var d in configs) sb.Append("<td>").Append(ReportHtml.E(d.GetValueOrDefault(k) ?? "-")).Append("</td>");
                sb.Append("</tr>\n");
            }
            sb.Append("</table>\n");
        }
        sb.Append("<h2>Figures</h2>\n<div class=\"grid\">\n");
        foreach (var (name, caption) in figures) ReportHtml.Figure(sb, "", name, caption);
        sb.Append("</div>\n<h2>Settings they share</h2>\n");
        ReportHtml.KeyValues(sb, shared);
        ReportHtml.Tail(sb);
        string page = Path.Combine(dir, "index.html");
        AtomicFile.WriteText(page, sb.ToString());
        var summary = runs.Select((r, i) => new { label = labels[i], folder = Path.GetFullPath(r.Folder), status = r.Record.Status, summary = r.Record.Summary }).ToArray();
        AtomicFile.WriteText(Path.Combine(dir, MarkerFile), JsonSerializer.Serialize(new { runs = summary, differing }, Json.Indented));
        return page;
    }

    /// <summary>Short labels: each folder's name, made unique with its parent's when two share a name.</summary>
    private static List<string> Labels(List<string> folders)
    {
        var names = folders.Select(f => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(f)))).ToList();
        for (int i = 0; i < names.Count; i++)
            if (names.Count(n => n == names[i]) > 1)
                names[i] = Path.Combine(Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(folders[i])) ?? ""), names[i]);
        return names;
    }

    private static ScottPlot.Plot Overlay(IReadOnlyList<(string Folder, RunRecord Record)> runs, List<string> labels, string x, string y, string title,
        Func<RunRecord, (double[] X, double[] Y)> series)
    {
        var plt = new ScottPlot.Plot();
        for (int i = 0; i < runs.Count; i++)
        {
            var (xs, ys) = series(runs[i].Record);
            if (xs.Length == 0) continue;
            var line = plt.Add.Scatter(xs, ys);
            line.MarkerSize = xs.Length <= 60 ? 4 : 0;
            line.LineWidth = 2;
            line.LegendText = labels[i];
        }
        plt.XLabel(x);
        plt.YLabel(y);
        plt.Title(title);
        plt.ShowLegend(ScottPlot.Edge.Bottom);
        return plt;
    }

    private static void Save(string dir, string name, ScottPlot.Plot plot, List<(string, string)> figures, string caption)
    {
        plot.SavePng(Path.Combine(dir, name + ".png"), RunReportFigures.Width, RunReportFigures.Height + 80);
        plot.SaveSvg(Path.Combine(dir, name + ".svg"), RunReportFigures.Width, RunReportFigures.Height + 80);
        figures.Add((name, caption));
    }
}
