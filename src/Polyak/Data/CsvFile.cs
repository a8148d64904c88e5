using System.Globalization;
using System.Text;

namespace Polyak.Data;

/// <summary>
/// Reads comma-separated numeric tables (raw or gzip). The header line is optional (detected: a first line with a
/// non-numeric field is a header; <c>header=yes|no</c> forces it). The label column is the one named by
/// <c>label=NAME|NUMBER</c>, else a header column named <c>label</c>, <c>class</c>, <c>target</c> or <c>y</c>, else the
/// first column. Every other column is a feature and must be a finite number; every row has the same field count.
/// Class labels may be integers (mapped in numeric order) or text (ordinal order); <c>--format csv-regression</c> keeps
/// real targets. Fields may be wrapped in double quotes. A test split is held out unless <c>test=PATH</c> is given.
/// </summary>
public static class CsvFile
{
    /// <summary>Most columns a CSV line may have.</summary>
    public const int MaxColumns = 1 << 20;

    private static readonly string[] LabelNames = ["label", "class", "target", "y"];

    /// <summary>A parsed table: feature rows, raw label texts, and where each row came from.</summary>
    private sealed record Table(string Path, string[] Columns, float[] Features, int FeatureCount, string[] Labels, long[] Lines, int LabelColumn);

    /// <summary>Loads a CSV file (and optional test file) into datasets.</summary>
    public static (Dataset Train, Dataset Test, string Description) Load(
        string path, string? testPath, bool regression, string? labelColumn, bool? header, double testFraction, ulong seed)
    {
        if (testPath is not null && !File.Exists(testPath))
            throw new ArgumentException($"data '{path}': test file '{testPath}' does not exist");
        var train = Parse(path, labelColumn, header);
        var test = testPath is null ? null : Parse(testPath, labelColumn, header);
        if (test is not null && test.FeatureCount != train.FeatureCount)
            throw DataError.InFile(testPath!, $"has {test.FeatureCount} feature columns but {path} has {train.FeatureCount}");
        string name = Path.GetFileName(path);
        Dataset trainSet, testSet;
        string kind;
        if (regression)
        {
            trainSet = Build(train, name + "/train", null);
            testSet = test is null ? trainSet : Build(test, name + "/test", null);
            kind = $"target column '{train.Columns[train.LabelColumn]}'";
        }
        else
        {
            var all = test is null ? train.Labels : [.. train.Labels, .. test.Labels];
            bool numeric = all.All(l => double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            var distinct = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in test is null ? [train] : new[] { train, test })
                for (int i = 0; i < t.Labels.Length; i++)
                {
                    string key = t.Labels[i];
                    if (numeric)
                    {
                        double y = double.Parse(key, NumberStyles.Float, CultureInfo.InvariantCulture);
                        if (!double.IsFinite(y) || y != Math.Floor(y) || Math.Abs(y) > int.MaxValue)
                            throw DataError.AtLine(t.Path, t.Lines[i], $"label '{key}' is not an integer class label; use --format csv-regression for real-valued targets");
                        key = ClassMap.Canonical(y);
                        t.Labels[i] = key;
                    }
                    if (distinct.Add(key) && distinct.Count > DataLimits.MaxClasses)
                        throw DataError.AtLine(t.Path, t.Lines[i], $"more than {DataLimits.MaxClasses:N0} distinct class labels; use --format csv-regression for real-valued targets");
                }
            if (distinct.Count < 2)
                throw DataError.InFile(path, $"all rows have the label '{distinct.Single()}'; classification needs at least 2 classes (or use --format csv-regression)");
            var map = ClassMap.Build(distinct, numeric);
            trainSet = Build(train, name + "/train", map);
            testSet = test is null ? trainSet : Build(test, name + "/test", map);
            kind = $"label column '{train.Columns[train.LabelColumn]}', {map.Count} classes ({map.Describe()})";
        }
        if (test is null)
        {
            var (tr, ts) = HoldOut.Split(trainSet, testFraction, seed, path);
            return (tr, ts, $"CSV {path}: {tr.Count} train / {ts.Count} held-out test rows (fraction {testFraction}, seed {seed}), {train.FeatureCount} features, {kind}");
        }
        return (trainSet, testSet, $"CSV {path}: {trainSet.Count} train / {testSet.Count} test rows ({testPath}), {train.FeatureCount} features, {kind}");
    }

    private static Dataset Build(Table t, string name, ClassMap? map)
    {
        if (map is not null)
            return new Dataset(name, t.Features, t.FeatureCount, t.Labels.Select(l => map[l]).ToArray(), map.Count, null);
        var y = new float[t.Labels.Length];
        for (int i = 0; i < y.Length; i++)
        {
            if (!float.TryParse(t.Labels[i], NumberStyles.Float, CultureInfo.InvariantCulture, out y[i]) || !float.IsFinite(y[i]))
                throw DataError.AtLine(t.Path, t.Lines[i], $"target '{t.Labels[i]}' in column '{t.Columns[t.LabelColumn]}' is not a finite number");
        }
        return new Dataset(name, t.Features, t.FeatureCount, null, 0, y);
    }

    private static Table Parse(string path, string? labelColumn, bool? header)
    {
        using var reader = new TextLineReader(path);
        string[]? columns = null;
        int fields = -1, labelAt = -1;
        var features = new GrowableArray<float>();
        var labels = new List<string>();
        var lines = new List<long>();
        var cells = new List<string>();
        while (reader.TryReadLine(out var raw))
        {
            long ln = reader.LineNumber;
            if (raw.Trim((byte)' ').IsEmpty) continue;
            Split(raw, cells, path, ln);
            if (fields < 0)
            {
                fields = cells.Count;
                if (fields < 2)
                    throw DataError.AtLine(path, ln, $"expected at least 2 comma-separated columns (a label and a feature), found {fields}");
                bool isHeader = header ?? cells.Any(c => !double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
                columns = isHeader ? [.. cells] : Enumerable.Range(0, fields).Select(i => $"column {i + 1}").ToArray();
                labelAt = LabelIndex(columns, labelColumn, isHeader, path, ln);
                if (isHeader) continue;
            }
            if (cells.Count != fields)
                throw DataError.AtLine(path, ln, $"expected {fields} comma-separated fields (as on the first line), found {cells.Count}");
            if ((long)(labels.Count + 1) * (fields - 1) > DataLimits.MaxDenseValues)
                throw DataError.AtLine(path, ln, $"{labels.Count + 1:N0} rows x {fields - 1:N0} features exceeds the limit of {DataLimits.MaxDenseValues:N0} values");
            for (int c = 0; c < fields; c++)
            {
                if (c == labelAt)
                {
                    if (cells[c].Length == 0) throw DataError.AtLine(path, ln, $"empty label in column '{columns![c]}'");
                    continue;
                }
                if (!float.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw DataError.AtLine(path, ln, $"field {c + 1} ('{columns![c]}'): expected a number, found '{Clip(cells[c])}'");
                if (!float.IsFinite(v))
                    throw DataError.AtLine(path, ln, $"field {c + 1} ('{columns![c]}'): value '{Clip(cells[c])}' is not finite (NaN or infinite, or beyond the float range)");
                features.Add(v);
            }
            labels.Add(cells[labelAt]);
            lines.Add(ln);
        }
        if (labels.Count == 0) throw DataError.InFile(path, "no data rows");
        return new Table(path, columns!, features.ToArray(), fields - 1, [.. labels], [.. lines], labelAt);
    }

    private static int LabelIndex(string[] columns, string? labelColumn, bool isHeader, string path, long ln)
    {
        if (labelColumn is not null)
        {
            int byName = Array.FindIndex(columns, c => c.Equals(labelColumn, StringComparison.OrdinalIgnoreCase));
            if (byName >= 0) return byName;
            if (int.TryParse(labelColumn, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k >= 1 && k <= columns.Length) return k - 1;
            throw DataError.AtLine(path, ln, $"no column '{labelColumn}' (label=NAME or a 1-based column number up to {columns.Length}); columns: {string.Join(", ", columns.Take(20))}");
        }
        if (isHeader)
            foreach (string n in LabelNames)
            {
                int i = Array.FindIndex(columns, c => c.Equals(n, StringComparison.OrdinalIgnoreCase));
                if (i >= 0) return i;
            }
        return 0;
    }

    private static void Split(ReadOnlySpan<byte> line, List<string> cells, string path, long ln)
    {
        cells.Clear();
        int i = 0;
        while (true)
        {
            string cell;
            while (i < line.Length && line[i] == (byte)' ') i++;
            if (i < line.Length && line[i] == (byte)'"')
            {
                int j = i + 1;
                var bytes = new List<byte>();
                while (true)
                {
                    if (j >= line.Length) throw DataError.AtColumn(path, ln, i + 1, $"quoted field is not closed");
                    if (line[j] == (byte)'"')
                    {
                        if (j + 1 < line.Length && line[j + 1] == (byte)'"') { bytes.Add((byte)'"'); j += 2; continue; }
                        j++;
                        break;
                    }
                    bytes.Add(line[j++]);
                }
                while (j < line.Length && line[j] == (byte)' ') j++;
                if (j < line.Length && line[j] != (byte)',')
                    throw DataError.AtColumn(path, ln, j + 1, $"expected ',' after a quoted field");
                cell = Encoding.UTF8.GetString(bytes.ToArray());
                i = j;
            }
            else
            {
                int comma = line[i..].IndexOf((byte)',');
                int end = comma < 0 ? line.Length : i + comma;
                cell = Encoding.UTF8.GetString(line[i..end]).Trim();
                i = end;
            }
            cells.Add(cell);
            if (cells.Count > MaxColumns)
                throw DataError.AtLine(path, ln, $"more than {MaxColumns:N0} comma-separated fields");
            if (i >= line.Length) return;
            i++; // skip the comma
        }
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
