using System.Text.Json;
using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>
/// The append-only JSONL file of finished tuning runs (one <see cref="TrialResult"/> per line, written as each
/// run finishes). Opening an existing journal loads it, so an interrupted tune resumes without repeating a
/// finished run; a line that cannot be read (a torn write, an edit) is listed in <see cref="Problems"/> with its line
/// number and that run is redone. Thread-safe.
/// </summary>
public sealed class TuningJournal
{
    private readonly object _lock = new();
    private readonly Dictionary<string, TrialResult> _entries = new(StringComparer.Ordinal);

    /// <summary>Opens (or creates) the journal at <paramref name="path"/>; null keeps it in memory only.</summary>
    public TuningJournal(string? path)
    {
        Path = path is null ? null : System.IO.Path.GetFullPath(path);
        if (Path is null) return;
        string? dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        if (!File.Exists(Path)) return;
        using (var stream = new FileStream(Path, FileMode.Open, FileAccess.ReadWrite))
        {
            // A torn last line: end it so the next append starts a line of its own.
            if (stream.Length > 0)
            {
                stream.Seek(-1, SeekOrigin.End);
                if (stream.ReadByte() != '\n') stream.WriteByte((byte)'\n');
            }
        }
        int lineNo = 0;
        var problems = new List<string>();
        foreach (string line in File.ReadLines(Path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string? problem = null;
            JsonDocument? doc = null;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                problem = $"not JSON (position {ex.BytePositionInLine + 1})";
            }
            if (doc is not null)
            {
                using (doc)
                {
                    try
                    {
                        var entry = doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Deserialize<TrialResult>(Json.Compact) : null;
                        if (entry is null || string.IsNullOrEmpty(entry.Key)) problem = "not a finished run (no key)";
                        else if (!TrialResult.Statuses.Contains(entry.Status)) problem = $"unknown status '{Shorten(entry.Status)}'";
                        else if (entry.Status == TrialResult.Reached && entry.UpdatesToTarget is null) problem = "status reached without updates_to_target";
                        else if (entry.Status != TrialResult.Pruned) _entries[entry.Key] = entry;
                    }
                    catch (JsonException ex)
                    {
                        problem = ex.Path is { Length: > 1 } field ? $"not a finished run (field {field} has the wrong type)" : "not a finished run (no key)";
                    }
                }
            }
            if (problem is not null) problems.Add($"line {lineNo}: {problem}");
        }
        Problems = problems;
    }

    private static string Shorten(string? s) => s is null ? "null" : s.Length <= 40 ? s : s[..40] + "...";

    /// <summary>Full path of the file, or null for an in-memory journal.</summary>
    public string? Path { get; }

    /// <summary>Lines that could not be read when the journal was opened (torn writes, edits); those runs are redone.</summary>
    public int IgnoredLines => Problems.Count;

    /// <summary>Each line that could not be read, as <c>line N: why</c>; the runs they held are redone.</summary>
    public IReadOnlyList<string> Problems { get; } = [];

    /// <summary>Number of finished runs recorded.</summary>
    public int Count { get { lock (_lock) return _entries.Count; } }

    /// <summary>The finished run with <paramref name="key"/>, if recorded.</summary>
    public bool TryGet(string key, out TrialResult result)
    {
        lock (_lock) return _entries.TryGetValue(key, out result!);
    }

    /// <summary>Records a finished run (appends one line and flushes it).</summary>
    public void Append(TrialResult result)
    {
        string line = JsonSerializer.Serialize(result, Json.Compact) + "\n";
        lock (_lock)
        {
            _entries[result.Key] = result;
            if (Path is not null) File.AppendAllText(Path, line);
        }
    }
}
