using System.Globalization;
using System.Text.Json;

namespace Polyak.Dashboard;

/// <summary>
/// What a run folder says right now, read from the files the run writes as it goes: <c>curve.csv</c> (appended at every
/// evaluation), <c>run.json</c> (rewritten every few seconds while running, with the summary so far: staleness histogram,
/// status) and <c>momentum.csv</c> (closed-loop momentum, written at the end). A half-written last line is skipped.
/// </summary>
public sealed class RunSeries
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Updates of the curve's points.</summary>
    public double[] Update { get; private set; } = [];

    /// <summary>Wall seconds of each point.</summary>
    public double[] Wall { get; private set; } = [];

    /// <summary>Simulated time of each point (NaN off the simulator).</summary>
    public double[] Simulated { get; private set; } = [];

    /// <summary>Evaluation loss of each point.</summary>
    public double[] Loss { get; private set; } = [];

    /// <summary>Evaluation accuracy of each point (NaN for a regression).</summary>
    public double[] Accuracy { get; private set; } = [];

    /// <summary>Explicit momentum in force at each point.</summary>
    public double[] Momentum { get; private set; } = [];

    /// <summary>Held-out accuracy of each point (accuracy-target runs).</summary>
    public double[] HeldOut { get; private set; } = [];

    /// <summary>Evaluation seconds excluded from the clock up to each point.</summary>
    public double[] Excluded { get; private set; } = [];

    /// <summary>run.json's root (a clone), or null when it is missing or being replaced.</summary>
    public JsonElement? Record { get; private set; }

    /// <summary>Staleness counts (index = staleness).</summary>
    public long[] Staleness { get; private set; } = [];

    /// <summary>Closed-loop momentum's control updates (empty unless the run used <c>--momentum auto</c> and ended).</summary>
    public double[] ControlUpdate { get; private set; } = [];

    /// <summary>The explicit momentum the controller set at each control update.</summary>
    public double[] ControlExplicit { get; private set; } = [];

    /// <summary>The estimated total momentum at each control update.</summary>
    public double[] ControlTotal { get; private set; } = [];

    /// <summary>Points in the curve.</summary>
    public int Points => Update.Length;

    /// <summary>Reads folder <paramref name="dir"/>.</summary>
    public static RunSeries Read(string dir)
    {
        var s = new RunSeries();
        var curve = Csv(Path.Combine(dir, "curve.csv"));
        if (curve.Count > 0)
        {
            s.Update = curve.Column("update");
            s.Wall = curve.Column("wall_seconds");
            s.Simulated = curve.Column("simulated_seconds");
            s.Loss = curve.Column("loss");
            s.Accuracy = curve.Column("accuracy");
            s.Momentum = curve.Column("momentum");
            s.HeldOut = curve.Column("held_out_accuracy");
            s.Excluded = curve.Column("excluded_seconds");
        }
        var control = Csv(Path.Combine(dir, "momentum.csv"));
        if (control.Count > 0)
        {
            s.ControlUpdate = control.Column("update");
            s.ControlExplicit = control.Column("explicit");
            s.ControlTotal = control.Column("total");
        }
        try
        {
            string path = Path.Combine(dir, "run.json");
            if (File.Exists(path))
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                s.Record = doc.RootElement.Clone();
                if (s.Record.Value.TryGetProperty("summary", out var sum) && sum.TryGetProperty("staleness", out var st) && st.TryGetProperty("histogram", out var h) && h.ValueKind == JsonValueKind.Array)
                    s.Staleness = h.EnumerateArray().Select(v => v.GetInt64()).ToArray();
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException) { }
        return s;
    }

    /// <summary>A string at <paramref name="path"/> in run.json (e.g. <c>config.backend</c>), or null.</summary>
    public string? Text(string path) => Find(path) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

    /// <summary>A number at <paramref name="path"/> in run.json, or null.</summary>
    public double? Number(string path) => Find(path) is { ValueKind: JsonValueKind.Number } e ? e.GetDouble() : null;

    /// <summary>The element at a dotted <paramref name="path"/> in run.json, or null.</summary>
    public JsonElement? Find(string path)
    {
        if (Record is not { } e) return null;
        foreach (string part in path.Split('.'))
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(part, out var next)) return null;
            e = next;
        }
        return e;
    }

    /// <summary>True on the simulator: the record has a simulated time, or a curve point does.</summary>
    public bool IsSimulated => Simulated.Any(double.IsFinite) || Number("summary.simulated_seconds") is not null;

    /// <summary>Time of each point: simulated time on the simulator (0 at the start), else wall seconds less the excluded evaluation time.</summary>
    public double[] Time()
    {
        bool sim = IsSimulated;
        return Enumerable.Range(0, Points).Select(i => sim
            ? double.IsFinite(Simulated[i]) ? Simulated[i] : Update[i] == 0 ? 0 : double.NaN
            : Wall[i] - (double.IsFinite(Excluded[i]) ? Excluded[i] : 0)).ToArray();
    }

    /// <summary>The label of <see cref="Time"/>'s axis.</summary>
    public string TimeLabel => IsSimulated ? "simulated time (mean compute times)" : Excluded.Any(double.IsFinite) ? "training seconds (evaluation excluded)" : "wall seconds";

    private sealed class Table(string[] header, List<double[]> rows)
    {
        public int Count => rows.Count;

        public double[] Column(string name)
        {
            int i = Array.IndexOf(header, name);
            return i < 0 ? new double[rows.Count].Select(_ => double.NaN).ToArray() : rows.Select(r => r[i]).ToArray();
        }
    }

    private static Table Csv(string path)
    {
        if (!File.Exists(path)) return new Table([], []);
        string text;
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(f);
            text = reader.ReadToEnd();
        }
        catch (IOException) { return new Table([], []); }
        var lines = text.Split('\n');
        if (lines.Length == 0) return new Table([], []);
        string[] header = lines[0].Trim().Split(',');
        var rows = new List<double[]>();
        // The last element follows the last '\n': a line still being written, or empty.
        for (int l = 1; l < lines.Length - 1; l++)
        {
            string[] cells = lines[l].Trim().Split(',');
            if (cells.Length != header.Length) continue;
            var row = new double[cells.Length];
            for (int c = 0; c < cells.Length; c++)
                row[c] = double.TryParse(cells[c], NumberStyles.Float, C, out double v) ? v : double.NaN;
            rows.Add(row);
        }
        return new Table(header, rows);
    }
}
