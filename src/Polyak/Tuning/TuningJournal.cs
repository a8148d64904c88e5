using System.Text.Json;
using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>
/// The append-only JSONL file of finished tuning runs (one <see cref="TrialResult"/> per line, written as each
/// run finishes). Opening an existing journal loads it, so an interrupted tune resumes without repeating a
/// finished run; a torn last line (a crash mid-write) is ignored and that run is redone. Thread-safe.
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
        foreach (string line in File.ReadLines(Path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                var entry = JsonSerializer.Deserialize<TrialResult>(line, Json.Compact);
                if (entry is not null && entry.Status != TrialResult.Pruned) _entries[entry.Key] = entry;
            }
            catch (JsonException)
            {
                IgnoredLines++;
            }
        }
    }

    /// <summary>Full path of the file, or null for an in-memory journal.</summary>
    public string? Path { get; }

    /// <summary>Lines that could not be read when the journal was opened (torn writes); those runs are redone.</summary>
    public int IgnoredLines { get; }

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
