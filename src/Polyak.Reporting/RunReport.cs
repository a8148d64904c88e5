using System.Text;
using Polyak.Execution;

namespace Polyak.Reporting;

/// <summary>
/// The picture of one run: <c>report.html</c> in its run folder, with the configuration, the outcome and the figures of
/// <see cref="RunReportFigures"/> (and the momentum-control figure of a <c>--momentum auto</c> run). Written at the end
/// of every <c>train</c> run; the page is self-contained (no script, nothing fetched).
/// </summary>
public static class RunReport
{
    /// <summary>The page's file name.</summary>
    public const string FileName = "report.html";

    /// <summary>Writes the figures and the page for <paramref name="record"/> into <paramref name="dir"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string dir, RunRecord record)
    {
        var written = new List<string>();
        var figures = RunReportFigures.Write(dir, record);
        foreach (string f in figures) written.AddRange([Path.Combine(dir, f + ".png"), Path.Combine(dir, f + ".svg")]);
        bool momentum = record.AutoMomentum is not null && File.Exists(Path.Combine(dir, "momentum.png"));
        string page = Path.Combine(dir, FileName);
        string[] files = new[] { "run.json", "curve.csv", "staleness.csv", "momentum.csv", "checkpoint.bin" }
            .Where(f => File.Exists(Path.Combine(dir, f))).ToArray();
        AtomicFile.WriteText(page, Html(record, figures, momentum, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir))), files));
        written.Add(page);
        return written;
    }

    private static string Html(RunRecord r, IReadOnlyList<string> figures, bool momentum, string name, string[] files)
    {
        var sb = new StringBuilder();
        ReportHtml.Head(sb, $"Polyak run {name}");
        var c = r.Config;
        sb.Append($"<h1>Run <code>{ReportHtml.E(name)}</code>: {ReportHtml.E(r.Model.Name)} on {ReportHtml.E(r.Data.Description)}</h1>\n");
        sb.Append($"<p>Backend <b>{ReportHtml.E(c.Backend)}</b>, {c.Workers} worker(s) in {c.Groups?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "the default"} group(s); status <b class=\"status-{ReportHtml.E(r.Status)}\">{ReportHtml.E(r.Status)}</b>.</p>\n");
        sb.Append("<h2>Outcome</h2>\n");
        ReportHtml.KeyValues(sb, RunFacts.Outcome(r));
        sb.Append("<h2>Figures</h2>\n<div class=\"grid\">\n");
        foreach (string f in figures)
            ReportHtml.Figure(sb, "", f, f switch
            {
                "loss" => "Evaluation loss against updates.",
                "loss-time" => "Evaluation loss against " + RunCurves.TimeLabel(r) + ".",
                "accuracy" => "Accuracy against updates (diamond: the final test accuracy).",
                "staleness" => "Measured staleness distribution and the geometric law of the same mean (the queueing model's prediction for exponential compute times).",
                _ => f,
            });
        if (momentum) ReportHtml.Figure(sb, "", "momentum", "Closed-loop momentum control: the explicit momentum the controller set, and the estimated total momentum.");
        sb.Append("</div>\n<h2>Configuration</h2>\n");
        ReportHtml.KeyValues(sb, RunFacts.Config(r));
        sb.Append("<h2>Files</h2>\n<p>");
        foreach (string f in files)
            sb.Append($"<a href=\"{f}\">{f}</a> ");
        sb.Append("</p>\n");
        ReportHtml.Tail(sb);
        return sb.ToString();
    }
}
