using System.Globalization;
using System.Text;

namespace Polyak.Data;

/// <summary>
/// Reads LIBSVM / SVMlight sparse text (raw or gzip): one row per line, <c>LABEL INDEX:VALUE INDEX:VALUE ...</c> with
/// 1-based, strictly increasing indices; <c>#</c> starts a comment; blank lines are skipped; an SVMlight <c>qid:N</c>
/// token after the label is ignored. Rows are densified into a <see cref="Dataset"/>: classification labels must be
/// integers and are mapped to 0..C-1 (<see cref="ClassMap"/>: binary -1/+1 -> 0/1), regression keeps real targets.
/// A companion test file is taken from <c>test=PATH</c> or, by the LIBSVM convention, <c>PATH.t</c>; otherwise a test
/// split is held out. Refuses densifications larger than <see cref="DataLimits.MaxDenseValues"/>.
/// </summary>
public static class LibSvmFile
{
    /// <summary>Parses a file into sparse rows, validating every token.</summary>
    public static SparseRows Parse(string path, int? maxFeatures = null)
    {
        var labels = new List<double>();
        var lines = new List<long>();
        var rowStart = new List<long> { 0 };
        var indices = new GrowableArray<int>();
        var values = new GrowableArray<float>();
        int maxIndex = 0;
        using var reader = new TextLineReader(path);
        while (reader.TryReadLine(out var raw))
        {
            long ln = reader.LineNumber;
            int hash = raw.IndexOf((byte)'#');
            var line = hash >= 0 ? raw[..hash] : raw;
            int pos = SkipSpace(line, 0);
            if (pos == line.Length) continue;

            int end = TokenEnd(line, pos);
            var labelTok = line[pos..end];
            if (labelTok.IndexOf((byte)':') >= 0)
                throw DataError.AtColumn(path, ln, pos + 1, $"expected a label before the first INDEX:VALUE pair, found '{Show(labelTok)}'");
            if (!double.TryParse(labelTok, NumberStyles.Float, CultureInfo.InvariantCulture, out double label))
                throw DataError.AtColumn(path, ln, pos + 1, $"expected a numeric label, found '{Show(labelTok)}'");
            if (!double.IsFinite(label))
                throw DataError.AtColumn(path, ln, pos + 1, $"label '{Show(labelTok)}' is not a finite number");
            pos = SkipSpace(line, end);
            int previous = 0;
            while (pos < line.Length)
            {
                end = TokenEnd(line, pos);
                var tok = line[pos..end];
                int colon = tok.IndexOf((byte)':');
                if (colon < 0)
                    throw DataError.AtColumn(path, ln, pos + 1, $"expected INDEX:VALUE, found '{Show(tok)}'");
                var idxTok = tok[..colon];
                var valTok = tok[(colon + 1)..];
                if (previous == 0 && idxTok.SequenceEqual("qid"u8))
                {
                    if (!long.TryParse(valTok, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        throw DataError.AtColumn(path, ln, pos + colon + 2, $"expected a whole number after 'qid:', found '{Show(valTok)}'");
                    pos = SkipSpace(line, end);
                    continue;
                }
                if (!long.TryParse(idxTok, NumberStyles.None, CultureInfo.InvariantCulture, out long index))
                    throw DataError.AtColumn(path, ln, pos + 1, $"expected a positive integer feature index, found '{Show(idxTok)}'");
                if (index < 1)
                    throw DataError.AtColumn(path, ln, pos + 1, $"feature index {index} is not >= 1 (LIBSVM indices are 1-based)");
                if (index <= previous)
                    throw DataError.AtColumn(path, ln, pos + 1, $"feature index {index} {(index == previous ? "repeats" : "comes after")} index {previous}; indices must be strictly increasing");
                if (maxFeatures is int mf && index > mf)
                    throw DataError.AtColumn(path, ln, pos + 1, $"feature index {index} exceeds features={mf}");
                if (index > int.MaxValue - 1 || (labels.Count + 1) * index > DataLimits.MaxDenseValues)
                    throw DataError.AtColumn(path, ln, pos + 1, $"feature index {index:N0} with {labels.Count + 1:N0} rows would densify to {(double)(labels.Count + 1) * index:G3} values, more than the limit of {DataLimits.MaxDenseValues:N0}");
                if (!float.TryParse(valTok, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                    throw DataError.AtColumn(path, ln, pos + colon + 2, $"expected a number after '{Show(idxTok)}:', found '{Show(valTok)}'");
                if (!float.IsFinite(value))
                    throw DataError.AtColumn(path, ln, pos + colon + 2, $"feature {index} value '{Show(valTok)}' is not finite (NaN or infinite, or beyond the float range)");
                previous = (int)index;
                maxIndex = Math.Max(maxIndex, previous);
                indices.Add(previous - 1);
                values.Add(value);
                pos = SkipSpace(line, end);
            }
            if ((long)(labels.Count + 1) * Math.Max(1, maxIndex) > DataLimits.MaxDenseValues)
                throw DataError.AtLine(path, ln, $"{labels.Count + 1:N0} rows x {maxIndex:N0} features would densify to more than {DataLimits.MaxDenseValues:N0} values");
            labels.Add(label);
            lines.Add(ln);
            rowStart.Add(indices.Count);
        }
        if (labels.Count == 0)
            throw DataError.InFile(path, "no data rows (expected lines 'LABEL INDEX:VALUE ...')");
        return new SparseRows
        {
            Path = path, Labels = [.. labels], Lines = [.. lines], RowStart = [.. rowStart],
            Indices = indices.ToArray(), Values = values.ToArray(), MaxIndex = maxIndex,
        };
    }

    /// <summary>Loads train (and test) LIBSVM files into dense datasets.</summary>
    public static (Dataset Train, Dataset Test, string Description) Load(
        string path, string? testPath, bool regression, int? features, double testFraction, ulong seed)
    {
        if (testPath is null && File.Exists(path + ".t")) testPath = path + ".t";
        if (testPath is not null && !File.Exists(testPath))
            throw new ArgumentException($"data '{path}': test file '{testPath}' does not exist");
        var train = Parse(path, features);
        var test = testPath is null ? null : Parse(testPath, features);
        int dim = features ?? Math.Max(1, Math.Max(train.MaxIndex, test?.MaxIndex ?? 0));
        long total = ((long)train.Count + (test?.Count ?? 0)) * dim;
        if (total > DataLimits.MaxDenseValues)
            throw new InvalidDataException($"{path}{(test is null ? "" : " + " + testPath)}: densifying {train.Count + (test?.Count ?? 0):N0} rows x {dim:N0} features = {total:N0} values exceeds the limit of {DataLimits.MaxDenseValues:N0} (1 GiB of floats); use fewer rows or features");

        string kind;
        Dataset trainSet, testSet;
        string name = System.IO.Path.GetFileName(path);
        if (regression)
        {
            trainSet = Densify(train, dim, name + "/train", null);
            testSet = test is null ? trainSet : Densify(test, dim, name + "/test", null);
            kind = "regression targets";
        }
        else
        {
            var distinct = new HashSet<string>(StringComparer.Ordinal);
            foreach (var rows in test is null ? [train] : new[] { train, test })
                for (int i = 0; i < rows.Count; i++)
                {
                    double y = rows.Labels[i];
                    if (y != Math.Floor(y) || Math.Abs(y) > int.MaxValue)
                        throw DataError.AtLine(rows.Path, rows.Lines[i], $"label {y.ToString(CultureInfo.InvariantCulture)} is not an integer class label; use --format libsvm-regression for real-valued targets");
                    if (distinct.Add(ClassMap.Canonical(y)) && distinct.Count > DataLimits.MaxClasses)
                        throw DataError.AtLine(rows.Path, rows.Lines[i], $"more than {DataLimits.MaxClasses:N0} distinct class labels; use --format libsvm-regression for real-valued targets");
                }
            if (distinct.Count < 2)
                throw DataError.InFile(path, $"all rows have the label {distinct.Single()}; classification needs at least 2 classes (or use --format libsvm-regression)");
            var map = ClassMap.Build(distinct, numeric: true);
            trainSet = Densify(train, dim, name + "/train", map);
            testSet = test is null ? trainSet : Densify(test, dim, name + "/test", map);
            kind = $"{map.Count} classes ({map.Describe()})";
        }
        if (test is null)
        {
            var (tr, ts) = HoldOut.Split(trainSet, testFraction, seed, path);
            return (tr, ts, $"LIBSVM {path}: {tr.Count} train / {ts.Count} held-out test rows (fraction {testFraction}, seed {seed}), {dim} features, {kind}");
        }
        return (trainSet, testSet, $"LIBSVM {path}: {trainSet.Count} train / {testSet.Count} test rows ({testPath}), {dim} features, {kind}");
    }

    private static Dataset Densify(SparseRows rows, int dim, string name, ClassMap? map)
    {
        var x = new float[(long)rows.Count * dim];
        for (int i = 0; i < rows.Count; i++)
            for (long k = rows.RowStart[i]; k < rows.RowStart[i + 1]; k++)
                x[(long)i * dim + rows.Indices[k]] = rows.Values[k];
        if (map is null)
        {
            var t = new float[rows.Count];
            for (int i = 0; i < t.Length; i++)
            {
                t[i] = (float)rows.Labels[i];
                if (!float.IsFinite(t[i]))
                    throw DataError.AtLine(rows.Path, rows.Lines[i], $"target {rows.Labels[i]} is beyond the float range");
            }
            return new Dataset(name, x, dim, null, 0, t);
        }
        var y = new int[rows.Count];
        for (int i = 0; i < y.Length; i++) y[i] = map[ClassMap.Canonical(rows.Labels[i])];
        return new Dataset(name, x, dim, y, map.Count, null);
    }

    private static int SkipSpace(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && (s[i] == (byte)' ' || s[i] == (byte)'\t')) i++;
        return i;
    }

    private static int TokenEnd(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && s[i] != (byte)' ' && s[i] != (byte)'\t') i++;
        return i;
    }

    /// <summary>A token for an error message: at most 40 characters, control bytes escaped.</summary>
    internal static string Show(ReadOnlySpan<byte> token)
    {
        var sb = new StringBuilder();
        foreach (char c in Encoding.UTF8.GetString(token[..Math.Min(token.Length, 40)]))
            sb.Append(char.IsControl(c) ? $"\\x{(int)c:X2}" : c.ToString());
        if (token.Length > 40) sb.Append("...");
        return sb.ToString();
    }
}
