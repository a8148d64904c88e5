using System.Text.Json;
using Polyak.Execution;

namespace Polyak.Dashboard;

/// <summary>A folder the dashboard lists: a run, or a tune / study / theory / optimize / comparison folder.</summary>
/// <param name="Id">Its path relative to the runs root, with '/' separators (the id the pages and the API use).</param>
/// <param name="Kind">run, tune, study, theory, optimize or comparison.</param>
/// <param name="Status">A run's status (running, completed, failed, interrupted, diverged, or "abandoned" when the process that trained it is gone); null for other kinds.</param>
/// <param name="Model">A run's model.</param>
/// <param name="Backend">A run's backend.</param>
/// <param name="Updates">Updates so far.</param>
/// <param name="Loss">Evaluation loss so far.</param>
/// <param name="Accuracy">Final test accuracy (a finished classifier run).</param>
/// <param name="Modified">When the folder's record or curve was last written (UTC).</param>
/// <param name="Page">The folder's own page (report.html, index.html), if it has one.</param>
public sealed record CatalogEntry(string Id, string Kind, string? Status, string? Model, string? Backend, long? Updates, double? Loss, double? Accuracy, DateTime Modified, string? Page);

/// <summary>
/// The folders under the runs root, read from what runs write as they go (<c>run.json</c>, <c>curve.csv</c>, ...; no
/// second copy of the data). Ids are resolved back to folders strictly inside the root, so a request cannot reach a
/// file outside it.
/// </summary>
public sealed class RunCatalog(string root)
{
    /// <summary>The runs root (absolute).</summary>
    public string Root { get; } = Path.GetFullPath(root);

    private static readonly (string File, string Kind)[] Markers =
        [("run.json", "run"), ("study.json", "study"), ("tune.jsonl", "tune"), ("theory.json", "theory"), ("optimize.json", "optimize"), ("comparison.json", "comparison")];

    /// <summary>Every folder of a known kind within two levels of the root (a study's trials included), newest first.</summary>
    public IReadOnlyList<CatalogEntry> List()
    {
        var entries = new List<CatalogEntry>();
        if (!Directory.Exists(Root)) return entries;
        foreach (string dir in Folders(Root, 3))
            if (Entry(dir) is { } e) entries.Add(e);
        return entries.OrderByDescending(e => e.Modified).ToList();
    }

    private static IEnumerable<string> Folders(string dir, int depth)
    {
        yield return dir;
        if (depth == 0) yield break;
        IEnumerable<string> children;
        try { children = Directory.EnumerateDirectories(dir).OrderBy(d => d, StringComparer.Ordinal).ToList(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { yield break; }
        foreach (string child in children)
            foreach (string d in Folders(child, depth - 1)) yield return d;
    }

    /// <summary>The entry of folder <paramref name="dir"/>, or null when it holds nothing the dashboard knows.</summary>
    public CatalogEntry? Entry(string dir)
    {
        string id = Id(dir);
        foreach (var (file, kind) in Markers)
        {
            string path = Path.Combine(dir, file);
            if (!File.Exists(path)) continue;
            DateTime modified = File.GetLastWriteTimeUtc(path);
            if (kind != "run")
            {
                string? page = new[] { "index.html", "report.html" }.FirstOrDefault(f => File.Exists(Path.Combine(dir, f)));
                return new CatalogEntry(id, kind, null, null, null, null, null, null, modified, page);
            }
            var state = RunFolderState.Read(dir);
            if (state is null) return new CatalogEntry(id, "run", "unreadable", null, null, null, null, null, modified, null);
            string status = state.Abandoned ? "abandoned" : state.Status;
            var (backend, accuracy) = BackendAndAccuracy(path);
            if (File.Exists(Path.Combine(dir, "curve.csv")))
                modified = new[] { modified, File.GetLastWriteTimeUtc(Path.Combine(dir, "curve.csv")) }.Max();
            return new CatalogEntry(id, "run", status, state.Model, backend, state.Updates, double.IsFinite(state.FinalLoss) ? state.FinalLoss : null, accuracy, modified,
                File.Exists(Path.Combine(dir, "report.html")) ? "report.html" : null);
        }
        return null;
    }

    private static (string? Backend, double? Accuracy) BackendAndAccuracy(string runJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(runJson));
            var root = doc.RootElement;
            string? backend = root.TryGetProperty("config", out var c) && c.TryGetProperty("backend", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null;
            double? accuracy = root.TryGetProperty("summary", out var s) && s.TryGetProperty("final_accuracy", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : null;
            return (backend, accuracy);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException) { return (null, null); }
    }

    /// <summary>The id of a folder under the root ('.' for the root itself).</summary>
    public string Id(string dir)
    {
        string rel = Path.GetRelativePath(Root, Path.GetFullPath(dir)).Replace(Path.DirectorySeparatorChar, '/');
        return rel.Length == 0 ? "." : rel;
    }

    /// <summary>The folder of <paramref name="id"/>, or null when the id leaves the root or names no folder.</summary>
    public string? Resolve(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Contains('\0')) return null;
        string full = Path.GetFullPath(Path.Combine(Root, id));
        bool inside = full == Root || full.StartsWith(Root.EndsWith(Path.DirectorySeparatorChar) ? Root : Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return inside && Directory.Exists(full) ? full : null;
    }
}
