using System.Net;
using System.Text;

namespace Polyak.Reporting;

/// <summary>What the run page and the comparison page share: the page head with its style, tables of rows, figures.</summary>
internal static class ReportHtml
{
    /// <summary>HTML-encodes <paramref name="s"/>.</summary>
    public static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Opens a page titled <paramref name="title"/> (self-contained: no script, no external resource).</summary>
    public static void Head(StringBuilder sb, string title) => sb.Append($$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}}</title>
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
        h1{font-size:1.5em} h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
        table{border-collapse:collapse;margin:0.6em 0;font-size:0.9em} th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
        th{background:#f3f3f3} td.n{text-align:right} .kv th{width:13em}
        .grid{display:flex;flex-wrap:wrap;gap:12px} .grid figure{width:48%;margin:0}
        figure{margin:1em 0} figure img{max-width:100%;border:1px solid #eee} figcaption{font-size:0.9em;color:#555}
        code{background:#f5f5f5;padding:0 3px} .status-completed,.status-reached{color:#1a7f37} .status-failed,.status-diverged{color:#c62828}
        </style></head><body>

        """);

    /// <summary>Closes the page.</summary>
    public static void Tail(StringBuilder sb) => sb.Append("</body></html>\n");

    /// <summary>A two-column table of (name, value) rows.</summary>
    public static void KeyValues(StringBuilder sb, IEnumerable<KeyValuePair<string, string>> rows)
    {
        sb.Append("<table class=\"kv\">\n");
        foreach (var (k, v) in rows) sb.Append("<tr><th>").Append(E(k)).Append("</th><td>").Append(E(v)).Append("</td></tr>\n");
        sb.Append("</table>\n");
    }

    /// <summary>A figure: the PNG, linked to its SVG, with a caption.</summary>
    public static void Figure(StringBuilder sb, string prefix, string name, string caption) =>
        sb.Append($"<figure><a href=\"{prefix}{name}.svg\"><img src=\"{prefix}{name}.png\" alt=\"{E(name)}\"></a><figcaption>{E(caption)}</figcaption></figure>\n");
}
