namespace Polyak.Data;

/// <summary>Parses <c>--format</c> names and detects a format from a path.</summary>
public static class DataFormats
{
    /// <summary>The accepted <c>--format</c> names.</summary>
    public static readonly string[] Names = ["idx", "cifar", "libsvm", "libsvm-regression", "csv", "csv-regression"];

    /// <summary>Parses a <c>--format</c> value.</summary>
    public static DataFormat Parse(string text) => text.Trim().ToLowerInvariant().Replace('_', '-') switch
    {
        "idx" or "mnist" => DataFormat.Idx,
        "cifar" or "cifar10" or "cifar-10" or "cifar-bin" => DataFormat.Cifar,
        "libsvm" or "svmlight" or "svm" => DataFormat.LibSvm,
        "libsvm-regression" or "svmlight-regression" or "libsvm-reg" => DataFormat.LibSvmRegression,
        "csv" => DataFormat.Csv,
        "csv-regression" or "csv-reg" => DataFormat.CsvRegression,
        _ => throw new ArgumentException($"unknown --format '{text}': expected one of {string.Join(", ", Names)}"),
    };

    /// <summary>
    /// Detects the format of <paramref name="path"/>: a folder of IDX files or CIFAR batches; <c>.bin</c> (CIFAR);
    /// <c>.svm</c>, <c>.libsvm</c>, <c>.svmlight</c>, <c>.txt</c>, <c>.t</c> (LIBSVM); <c>.csv</c>; an IDX file name
    /// (its folder); otherwise the first line is sniffed. A trailing <c>.gz</c> is ignored.
    /// </summary>
    public static DataFormat Detect(string path)
    {
        if (Directory.Exists(path))
        {
            if (IdxFolder.Holds(path)) return DataFormat.Idx;
            var (train, test) = CifarBinary.FindBatches(path);
            if (train.Count > 0 || test is not null) return DataFormat.Cifar;
            throw new ArgumentException($"{path}: folder holds neither IDX files ({string.Join(", ", IdxFolder.StandardNames)}) nor CIFAR-10 batches (data_batch_1.bin ... data_batch_5.bin, test_batch.bin); use --format to say what it holds");
        }
        if (!File.Exists(path)) throw new ArgumentException($"data '{path}': no such file or folder (and not one of synthetic[:NAME], {string.Join(", ", NamedDataSets.Names)})");
        string name = Path.GetFileName(path).ToLowerInvariant();
        if (IdxFolder.IsIdxFileName(name)) return DataFormat.Idx;
        if (name.EndsWith(".gz", StringComparison.Ordinal)) name = name[..^3];
        string ext = Path.GetExtension(name);
        switch (ext)
        {
            case ".bin": return DataFormat.Cifar;
            case ".svm" or ".libsvm" or ".svmlight" or ".txt" or ".t": return DataFormat.LibSvm;
            case ".csv": return DataFormat.Csv;
        }
        return Sniff(path);
    }

    private static DataFormat Sniff(string path)
    {
        string? line = null;
        try
        {
            using var f = DataFile.Open(path);
            var buf = new byte[4096];
            int n = 0;
            while (n < buf.Length)
            {
                int r = f.Read(buf.AsSpan(n));
                if (r == 0) break;
                n += r;
            }
            foreach (string l in System.Text.Encoding.UTF8.GetString(buf, 0, n).Split('\n'))
            {
                string t = l.Trim();
                if (t.Length > 0 && !t.StartsWith('#')) { line = t; break; }
            }
        }
        catch (InvalidDataException) { }
        if (line is not null)
        {
            if (line.Contains(':') && !line.Contains(',')) return DataFormat.LibSvm;
            if (line.Contains(',')) return DataFormat.Csv;
        }
        throw new ArgumentException($"{path}: cannot tell the data format from the name or the first line; use --format {string.Join("|", Names)}");
    }
}
