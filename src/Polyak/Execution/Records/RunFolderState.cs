using System.Text.Json;

namespace Polyak.Execution;

/// <summary>
/// What a run folder's <c>run.json</c> says, read leniently (a folder of any Polyak version): the status, the updates the
/// record counts, and the process of a live record. Lists of runs and <c>--resume</c> use it to tell a run in training
/// from one whose process died.
/// </summary>
/// <param name="Directory">The run folder.</param>
/// <param name="Status">The record's status (<c>running</c> while training).</param>
/// <param name="Updates">Updates the record counts.</param>
/// <param name="Process">The process of a live record.</param>
/// <param name="Model">Model name.</param>
/// <param name="FinalLoss">The latest evaluation loss (NaN when none).</param>
/// <param name="Modified">When run.json was last written.</param>
public sealed record RunFolderState(string Directory, string Status, long Updates, RunProcess? Process, string Model, double FinalLoss, DateTime Modified)
{
    /// <summary>A live record's process is gone: the run died while training.</summary>
    public bool Abandoned => Status == "running" && Process is { } p && !p.IsAlive();

    /// <summary>The status as a list shows it: <c>running</c>, <c>running (process gone)</c>, or the final status.</summary>
    public string Shown => Abandoned ? "running (process gone: killed or crashed; --resume continues it)" : Status;

    /// <summary>Reads <paramref name="dir"/>'s run.json, or null when there is none or it is not a run record.</summary>
    public static RunFolderState? Read(string dir)
    {
        string path = Path.Combine(dir, "run.json");
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.String) return null;
            long updates = root.TryGetProperty("summary", out var s) && s.ValueKind == JsonValueKind.Object && s.TryGetProperty("updates", out var u) && u.TryGetInt64(out long n) ? n : 0;
            double loss = s.ValueKind == JsonValueKind.Object && s.TryGetProperty("final_loss", out var fl) && fl.ValueKind == JsonValueKind.Number ? fl.GetDouble() : double.NaN;
            string model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("name", out var mn) && mn.ValueKind == JsonValueKind.String ? mn.GetString()! : "?";
            RunProcess? process = root.TryGetProperty("process", out var p) && p.ValueKind == JsonValueKind.Object
                ? p.Deserialize<RunProcess>(Json.Compact) : null;
            return new RunFolderState(Path.GetFullPath(dir), status.GetString()!, updates, process, model, loss, File.GetLastWriteTimeUtc(path));
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }
}
