using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Polyak.Execution;

namespace Polyak.Dashboard;

/// <summary>The dashboard's HTML: whole pages and the fragments the pages re-fetch while runs train.</summary>
public static class Pages
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    private static string Q(string id) => Uri.EscapeDataString(id);

    private static string Ids(IEnumerable<string> ids) => string.Join("&", ids.Select(i => "id=" + Q(i)));

    private static void Head(StringBuilder sb, string title, string page, string? state = null, bool cluster = false)
    {
        sb.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{E(title)}</title>");
        sb.Append("<link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/assets/dashboard.css\"></head>\n");
        sb.Append($"<body data-page=\"{page}\"{(state is null ? "" : $" data-state=\"{E(state)}\"")}>\n");
        sb.Append("<nav><a href=\"/\">Polyak runs</a>").Append(cluster ? " &middot; <a href=\"/cluster\">cluster</a>" : "").Append(" &middot; <span id=\"live\"></span></nav>\n");
    }

    private static string Tail => "<script src=\"/assets/dashboard.js\"></script>\n</body></html>\n";

    /// <summary>The list of runs and folders.</summary>
    public static string Index(RunCatalog catalog, bool cluster = false)
    {
        var sb = new StringBuilder();
        Head(sb, "Polyak runs", "index", cluster: cluster);
        sb.Append($"<h1>Runs in <code>{E(catalog.Root)}</code></h1>\n");
        sb.Append("<p>Select runs and <button id=\"compare\" type=\"button\">compare them</button> (curves overlaid). The list refreshes every 2 s.</p>\n");
        sb.Append("<div id=\"runs\">").Append(RunsTable(catalog)).Append("</div>\n");
        sb.Append(Tail);
        return sb.ToString();
    }

    /// <summary>The table of <see cref="Index"/> (re-fetched by the page).</summary>
    public static string RunsTable(RunCatalog catalog)
    {
        var entries = catalog.List();
        if (entries.Count == 0) return "<p>No runs yet. Start one with <code>polyak train --out " + E(Path.Combine(catalog.Root, "NAME")) + "</code>.</p>";
        var sb = new StringBuilder("<table id=\"run-table\"><tr><th></th><th>folder</th><th>kind</th><th>status</th><th>model</th><th>backend</th><th>updates</th><th>eval loss</th><th>test accuracy</th><th>last written (UTC)</th><th>page</th></tr>\n");
        foreach (var e in entries)
        {
            string pick = e.Kind == "run" ? $"<input class=\"pick\" type=\"checkbox\" value=\"{E(e.Id)}\" aria-label=\"select {E(e.Id)}\">" : "";
            string name = e.Kind == "run" ? $"<a href=\"/run?id={Q(e.Id)}\">{E(e.Id)}</a>" : E(e.Id);
            string page = e.Page is null ? "" : $"<a href=\"/files/{PathOf(e.Id)}{Q(e.Page)}\">{E(e.Page)}</a>";
            sb.Append(C, $"<tr data-id=\"{E(e.Id)}\" data-status=\"{E(e.Status)}\"><td>{pick}</td><td>{name}</td><td>{E(e.Kind)}</td><td>{Badge(e.Status)}</td><td>{E(e.Model)}</td><td>{E(e.Backend)}</td>");
            sb.Append(C, $"<td class=\"n\">{e.Updates?.ToString("N0", C)}</td><td class=\"n\">{e.Loss?.ToString("G5", C)}</td><td class=\"n\">{(e.Accuracy is double a ? (100 * a).ToString("F2", C) + " %" : "")}</td><td>{e.Modified:yyyy-MM-dd HH:mm:ss}</td><td>{page}</td></tr>\n");
        }
        return sb.Append("</table>").ToString();
    }

    /// <summary>The id as a URL path prefix (each segment escaped, ending in '/').</summary>
    public static string PathOf(string id) => id == "." ? "./" : string.Join("/", id.Split('/').Select(Uri.EscapeDataString)) + "/";

    private static string Badge(string? status) => status is null ? "" : $"<span class=\"badge {E(status)}\">{E(status)}</span>";

    /// <summary>The page of one run: live summary, charts, cluster section.</summary>
    public static string Run(string id)
    {
        var sb = new StringBuilder();
        Head(sb, $"Polyak run {id}", "run", $"/api/state?id={Q(id)}");
        sb.Append($"<h1>Run <code>{E(id)}</code></h1>\n");
        sb.Append($"<div id=\"summary\" data-src=\"/fragment/summary?id={Q(id)}\"></div>\n<h2>Curves</h2>\n<div class=\"charts\">\n");
        foreach (string chart in RunCharts.Single)
            sb.Append($"<div class=\"chart\" id=\"chart-{chart}\" data-src=\"/chart?name={chart}&amp;id={Q(id)}\"></div>\n");
        sb.Append($"</div>\n<div id=\"cluster\" data-src=\"/fragment/cluster?id={Q(id)}\"></div>\n");
        sb.Append($"<p>Files: <a href=\"/files/{PathOf(id)}run.json\">run.json</a> <a href=\"/files/{PathOf(id)}curve.csv\">curve.csv</a> <a href=\"/files/{PathOf(id)}report.html\">report.html</a> (written when the run ends)</p>\n");
        sb.Append(Tail);
        return sb.ToString();
    }

    /// <summary>The comparison page of several runs.</summary>
    public static string Compare(IReadOnlyList<string> ids)
    {
        var sb = new StringBuilder();
        Head(sb, $"Polyak: {ids.Count} runs compared", "compare", "/api/state?" + Ids(ids));
        sb.Append(C, $"<h1>{ids.Count} runs compared</h1>\n<div id=\"outcomes\" data-src=\"/fragment/compare?{E(Ids(ids))}\"></div>\n<h2>Curves</h2>\n<div class=\"charts\">\n");
        foreach (string chart in RunCharts.Overlay)
            sb.Append($"<div class=\"chart\" id=\"chart-{chart}\" data-src=\"/chart?name={chart}&amp;{E(Ids(ids))}\"></div>\n");
        sb.Append("</div>\n").Append(Tail);
        return sb.ToString();
    }

    /// <summary>The cluster page: its status fragment, refreshed every 2 s.</summary>
    public static string ClusterPage()
    {
        var sb = new StringBuilder();
        Head(sb, "Polyak cluster", "poll", cluster: true);
        sb.Append("<h1>Cluster</h1>\n<div id=\"cluster-status\" data-src=\"/fragment/cluster-status\"><p>asking the cluster...</p></div>\n");
        sb.Append(Tail);
        return sb.ToString();
    }

    /// <summary>The cluster's tables, or why it could not be read.</summary>
    public static string ClusterStatus(ClusterView? view, string? error)
    {
        if (view is null) return $"<p class=\"error\">The cluster did not answer: {E(error)}. Retrying every 2 s.</p>";
        var sb = new StringBuilder();
        sb.Append(C, $"<p>Gateway <code>{E(view.Gateway)}</code>, read at {DateTime.UtcNow:HH:mm:ss} UTC.</p>\n");
        foreach (var t in view.Tables)
        {
            sb.Append("<h2>").Append(E(t.Title)).Append("</h2>\n");
            if (t.Headers.Count > 0)
            {
                sb.Append("<table><tr>");
                foreach (string h in t.Headers) sb.Append("<th>").Append(E(h)).Append("</th>");
                sb.Append("</tr>\n");
                foreach (var row in t.Rows)
                {
                    sb.Append("<tr>");
                    foreach (string cell in row) sb.Append("<td>").Append(E(cell)).Append("</td>");
                    sb.Append("</tr>\n");
                }
                sb.Append("</table>\n");
            }
            if (t.Notes.Count > 0)
            {
                sb.Append("<ul>");
                foreach (string n in t.Notes) sb.Append("<li>").Append(E(n)).Append("</li>");
                sb.Append("</ul>\n");
            }
        }
        return sb.ToString();
    }

    /// <summary>A run's status and numbers so far.</summary>
    public static string Summary(RunSeries s)
    {
        var sb = new StringBuilder();
        string status = s.Text("status") ?? "unknown";
        string? model = s.Text("model.name"), data = s.Text("data.description"), backend = s.Text("config.backend");
        sb.Append($"<p>{Badge(status)} {E(model)} on {E(data)}, backend <b>{E(backend)}</b>");
        if (s.Number("config.workers") is double w) sb.Append(C, $", {w} worker(s)");
        if (s.Text("stop_reason") is { } why) sb.Append($" &middot; {E(why)}");
        sb.Append("</p>\n<table><tr><th>updates</th><th>evaluations</th><th>eval loss</th><th>accuracy</th><th>samples/s</th><th>staleness mean</th><th>max</th><th>momentum</th><th>wall s</th></tr>");
        double last(double[] a) => a.Length == 0 ? double.NaN : a[^1];
        string n(double v, string f) => double.IsFinite(v) ? v.ToString(f, C) : "";
        sb.Append(C, $"<tr><td class=\"n\">{n(Math.Max(last(s.Update), s.Number("summary.updates") ?? double.NaN), "N0")}</td><td class=\"n\" id=\"points\">{s.Points}</td><td class=\"n\">{n(last(s.Loss), "G5")}</td><td class=\"n\">{(double.IsFinite(last(s.Accuracy)) ? n(100 * last(s.Accuracy), "F2") + " %" : "")}</td>");
        sb.Append(C, $"<td class=\"n\">{n(s.Number("summary.samples_per_second") ?? double.NaN, "N0")}</td><td class=\"n\">{n(s.Number("summary.staleness.mean") ?? double.NaN, "F2")}</td><td class=\"n\">{n(s.Number("summary.staleness.max") ?? double.NaN, "N0")}</td><td class=\"n\">{n(last(s.Momentum), "G3")}</td><td class=\"n\">{n(last(s.Wall), "F1")}</td></tr></table>\n");
        if (s.Number("summary.final_accuracy") is double fa) sb.Append(C, $"<p>Final test accuracy <b>{100 * fa:F2} %</b>.</p>");
        return sb.ToString();
    }

    /// <summary>A cluster run's silos, shards, group leaders and recovery events (from run.json's backend section), or nothing.</summary>
    public static string Cluster(RunSeries s)
    {
        if (s.Find("backend") is not { ValueKind: JsonValueKind.Object } b || !b.TryGetProperty("shards", out var shards)) return "";
        var sb = new StringBuilder("<h2>Cluster</h2>\n");
        string? job = b.TryGetProperty("job_id", out var j) ? j.GetString() : null;
        string? gateway = b.TryGetProperty("cluster", out var g) ? g.GetString() : null;
        sb.Append($"<p>Job <code>{E(job)}</code> through gateway <code>{E(gateway)}</code>.</p>");
        sb.Append("<table id=\"shards\"><tr><th>shard</th><th>silo</th><th>parameters</th></tr>");
        foreach (var sh in shards.EnumerateArray())
        {
            string silo = sh.GetProperty("silo").GetString() ?? "";
            sb.Append(C, $"<tr><td class=\"n\">{sh.GetProperty("index").GetInt32()}</td><td>{E(silo)}</td><td class=\"n\">{sh.GetProperty("parameters").GetInt32():N0}</td></tr>");
        }
        sb.Append("</table>\n<table id=\"leaders\"><tr><th>group</th><th>leader's silo</th><th>updates pushed</th><th>members it stood in for</th></tr>");
        if (b.TryGetProperty("leaders", out var leaders))
            foreach (var l in leaders.EnumerateArray())
            {
                string silo = l.GetProperty("silo").GetString() ?? "";
                    string missing = string.Join(", ", l.GetProperty("missing_members").EnumerateArray().Select(m => m.GetInt32()));
                sb.Append(C, $"<tr><td class=\"n\">{l.GetProperty("group").GetInt32()}</td><td>{E(silo)}</td><td class=\"n\">{l.GetProperty("steps").GetInt64():N0}</td><td>{E(missing)}</td></tr>");
            }
        sb.Append("</table>\n");
        var facts = new[] { "checkpoints", "last_checkpoint", "recoveries", "updates_lost", "worker_replacements" }
            .Where(k => b.TryGetProperty(k, out _)).Select(k => $"{k.Replace('_', ' ')} {b.GetProperty(k).GetRawText()}");
        sb.Append($"<p>{E(string.Join(" · ", facts))}</p>");
        if (b.TryGetProperty("events", out var events) && events.GetArrayLength() > 0)
        {
            sb.Append("<h3>Recovery events</h3><ol id=\"events\">");
            foreach (var e in events.EnumerateArray()) sb.Append("<li>").Append(E(e.GetString())).Append("</li>");
            sb.Append("</ol>");
        }
        return sb.ToString();
    }

    /// <summary>The outcome table and differing settings of compared runs.</summary>
    public static string CompareTable(IReadOnlyList<(string Id, RunSeries Series)> runs)
    {
        var sb = new StringBuilder("<table id=\"outcome-table\"><tr><th>run</th><th>status</th><th>updates</th><th>eval loss</th><th>test accuracy</th><th>samples/s</th><th>staleness mean</th></tr>\n");
        foreach (var (id, s) in runs)
        {
            double? fa = s.Number("summary.final_accuracy");
            sb.Append(C, $"<tr><td><a href=\"/run?id={Q(id)}\">{E(id)}</a></td><td>{Badge(s.Text("status"))}</td><td class=\"n\">{s.Number("summary.updates"):N0}</td><td class=\"n\">{(s.Loss.Length > 0 ? s.Loss[^1].ToString("G5", C) : "")}</td><td class=\"n\">{(fa is double a ? (100 * a).ToString("F2", C) + " %" : "")}</td><td class=\"n\">{s.Number("summary.samples_per_second"):N0}</td><td class=\"n\">{s.Number("summary.staleness.mean"):F2}</td></tr>\n");
        }
        sb.Append("</table>\n");
        var configs = runs.Select(r => Flatten(r.Series.Find("config"))).ToList();
        var keys = configs.SelectMany(c => c.Keys).Distinct().Where(k => k != "out_dir").ToList();
        var differing = keys.Where(k => configs.Select(c => c.GetValueOrDefault(k) ?? "").Distinct().Count() > 1).ToList();
        sb.Append("<h2>Settings that differ</h2>");
        if (differing.Count == 0) return sb.Append("<p>None.</p>").ToString();
        sb.Append("<table id=\"differences\"><tr><th>setting</th>");
        foreach (var (id, _) in runs) sb.Append("<th>").Append(E(id)).Append("</th>");
        sb.Append("</tr>");
        foreach (string k in differing)
        {
            sb.Append("<tr><th>").Append(E(k)).Append("</th>");
            foreach (var c in configs) sb.Append("<td>").Append(E(c.GetValueOrDefault(k) ?? "-")).Append("</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</table>").ToString();
    }

    private static Dictionary<string, string> Flatten(JsonElement? e) =>
        e is { } v ? Json.Flatten(v).ToDictionary(kv => kv.Key, kv => kv.Value) : [];
}
