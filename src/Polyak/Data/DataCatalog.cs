namespace Polyak.Data;

/// <summary>
/// Resolves a <c>--data</c> spec (and optional <c>--format</c>) to train and test sets: <c>synthetic[:NAME]</c>,
/// the named sets <c>fashion-mnist</c> / <c>mnist</c>, or a path whose format is detected (IDX folder, CIFAR-10 binary,
/// LIBSVM, CSV). Sources without a test file get a held-out test split (<c>testFraction</c>, run seed).
/// Bad specs throw <see cref="ArgumentException"/>; bad files throw <see cref="InvalidDataException"/> naming the file,
/// the position and what was expected.
/// </summary>
public static class DataCatalog
{
    /// <summary>Loads the data named by <paramref name="spec"/> with the default decoded-data cache.</summary>
    public static (Dataset Train, Dataset Test, string Description) Load(string spec, string? format, double testFraction, ulong seed)
        => Load(spec, format, testFraction, seed, DecodedCache.Default);

    /// <summary>Loads the data named by <paramref name="spec"/>, caching decoded files in <paramref name="cache"/> (null: no cache).</summary>
    public static (Dataset Train, Dataset Test, string Description) Load(string spec, string? format, double testFraction, ulong seed, DecodedCache? cache)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new ArgumentException("--data is empty");
        if (format is not null && string.IsNullOrWhiteSpace(format))
            throw new ArgumentException($"--format is empty; expected one of {string.Join(", ", DataFormats.Names)}");
        if (spec.StartsWith("synthetic", StringComparison.OrdinalIgnoreCase) && !File.Exists(spec) && !Directory.Exists(spec))
        {
            if (format is not null) throw new ArgumentException($"--format {format} applies to files and folders; data '{spec}' is generated, not read");
            try { return SyntheticData.Generate(spec, seed); }
            catch (FormatException ex) { throw new ArgumentException(ex.Message, ex); }
        }
        var ds = DataSpec.Parse(spec);
        DataFormat? forced = string.IsNullOrWhiteSpace(format) ? null : DataFormats.Parse(format);
        if (NamedDataSets.IsNamed(ds.Source) && !File.Exists(ds.Source) && !Directory.Exists(ds.Source))
        {
            if (forced is not null and not DataFormat.Idx)
                throw new ArgumentException($"data '{ds.Source}' is IDX; --format {format} does not apply");
            var norm = Norm(ds);
            ds.RejectLeftovers("norm");
            return NamedDataSets.Load(ds.Source, norm, testFraction, seed, cache);
        }
        string path = ds.Source;
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new ArgumentException($"unknown data '{(spec.Length <= 60 ? spec : spec[..57] + $"... ({spec.Length:N0} characters)")}': expected synthetic[:{string.Join("|", SyntheticData.Names)}], {string.Join(", ", NamedDataSets.Names)}, or an existing file or folder");
        DataFormat fmt = forced ?? DataFormats.Detect(path);
        switch (fmt)
        {
            case DataFormat.Idx:
            {
                string folder = File.Exists(path) ? Path.GetDirectoryName(Path.GetFullPath(path))! : path;
                var norm = Norm(ds);
                ds.RejectLeftovers("norm");
                string? named = NamedDataSets.Names.FirstOrDefault(n => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))).Equals(n, StringComparison.OrdinalIgnoreCase));
                return IdxFolder.Load(folder, named ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), named is null ? null : 10, norm, testFraction, seed, cache);
            }
            case DataFormat.Cifar:
            {
                var norm = Norm(ds);
                ds.RejectLeftovers("norm");
                return CifarBinary.Load(path, norm, testFraction, seed);
            }
            case DataFormat.LibSvm or DataFormat.LibSvmRegression:
            {
                if (Directory.Exists(path)) throw new ArgumentException($"data '{path}' is a folder; LIBSVM data is a file");
                string? test = ds.Take("test");
                int? features = null;
                if (ds.Take("features") is string fs)
                    features = int.TryParse(fs, out int f) && f >= 1 ? f : throw new ArgumentException($"data '{spec}': features={fs} is not a positive integer");
                ds.RejectLeftovers("test, features");
                return LibSvmFile.Load(path, test, fmt == DataFormat.LibSvmRegression, features, testFraction, seed);
            }
            case DataFormat.Csv or DataFormat.CsvRegression:
            {
                if (Directory.Exists(path)) throw new ArgumentException($"data '{path}' is a folder; CSV data is a file");
                string? test = ds.Take("test");
                string? label = ds.Take("label");
                bool? header = ds.Take("header") switch
                {
                    null => null,
                    "yes" or "true" or "1" => true,
                    "no" or "false" or "0" => false,
                    string h => throw new ArgumentException($"data '{spec}': header={h} is not yes or no"),
                };
                ds.RejectLeftovers("test, label, header");
                return CsvFile.Load(path, test, fmt == DataFormat.CsvRegression, label, header, testFraction, seed);
            }
            default:
                throw new ArgumentException($"data '{spec}': format {fmt} is not supported");
        }
    }

    private static PixelNormalization Norm(DataSpec ds)
        => ds.Take("norm") is string n ? ByteImages.ParseNormalization(n, ds.Text) : PixelNormalization.Unit;
}
