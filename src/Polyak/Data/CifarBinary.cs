using System.Text.RegularExpressions;

namespace Polyak.Data;

/// <summary>
/// Reads CIFAR-10 binary batches: records of 1 label byte (0..9) followed by 3072 pixel bytes (1024 red, 1024 green,
/// 1024 blue, each 32x32 row-major). A folder with <c>data_batch_1.bin</c> ... <c>data_batch_5.bin</c> and
/// <c>test_batch.bin</c> (or a <c>cifar-10-batches-bin</c> subfolder) gives the official train/test split; a single
/// <c>.bin</c> file gets a held-out test split. Input shape [3, 32, 32]; pixels scaled to [0, 1] or standardised per channel.
/// </summary>
public static partial class CifarBinary
{
    /// <summary>Bytes per record: 1 label + 3 x 32 x 32 pixels.</summary>
    public const int RecordSize = 1 + ImageSize;

    /// <summary>Pixel bytes per image.</summary>
    public const int ImageSize = 3 * 32 * 32;

    /// <summary>Number of CIFAR-10 classes.</summary>
    public const int Classes = 10;

    [GeneratedRegex(@"^data_batch_(\d+)\.bin(\.gz)?$", RegexOptions.IgnoreCase)]
    private static partial Regex TrainBatch();

    [GeneratedRegex(@"^test_batch\.bin(\.gz)?$", RegexOptions.IgnoreCase)]
    private static partial Regex TestBatch();

    /// <summary>The batch files of a folder (or of its <c>cifar-10-batches-bin</c> subfolder): training batches in order, and the test batch.</summary>
    public static (IReadOnlyList<string> Train, string? Test) FindBatches(string folder)
    {
        if (!Directory.Exists(folder)) return ([], null);
        string sub = Path.Combine(folder, "cifar-10-batches-bin");
        if (Directory.Exists(sub) && !Directory.EnumerateFiles(folder).Any(f => TrainBatch().IsMatch(Path.GetFileName(f))))
            folder = sub;
        var files = Directory.EnumerateFiles(folder).ToList();
        var train = files
            .Select(f => (Path: f, M: TrainBatch().Match(Path.GetFileName(f))))
            .Where(x => x.M.Success)
            .OrderBy(x => long.TryParse(x.M.Groups[1].Value, out long k) ? k : long.MaxValue)
            .Select(x => x.Path)
            .ToList();
        string? test = files.Where(f => TestBatch().IsMatch(Path.GetFileName(f))).OrderBy(f => f.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? 1 : 0).FirstOrDefault();
        return (train, test);
    }

    /// <summary>Reads one batch file: pixel bytes (channel-major images) and labels.</summary>
    public static (byte[] Pixels, int[] Labels) ReadBatch(string path)
    {
        using var f = DataFile.Open(path);
        byte[] all;
        if (f.Remaining is long length)
        {
            CheckLength(path, length);
            all = new byte[length];
            f.ReadExactly(all, "CIFAR-10 records");
        }
        else
        {
            all = ReadAllBounded(f);
            CheckLength(path, all.LongLength);
        }
        int n = all.Length / RecordSize;
        var labels = new int[n];
        var pixels = GC.AllocateUninitializedArray<byte>(n * ImageSize);
        for (int i = 0; i < n; i++)
        {
            int label = all[(long)i * RecordSize];
            if (label >= Classes)
                throw DataError.AtByte(path, (long)i * RecordSize, $"label {label} of record {i} is outside 0..{Classes - 1} (each CIFAR-10 record is 1 label byte + 3072 pixel bytes)");
            labels[i] = label;
            all.AsSpan(i * RecordSize + 1, ImageSize).CopyTo(pixels.AsSpan(i * ImageSize, ImageSize));
        }
        return (pixels, labels);
    }

    private static void CheckLength(string path, long length)
    {
        if (length == 0)
            throw DataError.AtByte(path, 0, $"file is empty; expected CIFAR-10 records of {RecordSize} bytes (1 label + 3072 pixels)");
        if (length > DataLimits.MaxPayloadBytes)
            throw DataError.AtByte(path, 0, $"file holds {length:N0} bytes, more than the supported maximum of {DataLimits.MaxPayloadBytes:N0} per batch");
        if (length % RecordSize != 0)
        {
            long complete = length / RecordSize;
            string hint = length % (RecordSize + 1) == 0 ? " (the length fits 3074-byte records: CIFAR-100 with 2 label bytes is not supported)" : "";
            throw DataError.AtByte(path, complete * RecordSize,
                $"file is truncated or not CIFAR-10: {length % RecordSize} bytes after the last complete record ({complete} records of {RecordSize} bytes){hint}");
        }
    }

    private static byte[] ReadAllBounded(DataFile f)
    {
        var buffer = new byte[1 << 20];
        long filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length >= DataLimits.MaxPayloadBytes)
                    throw DataError.AtByte(f.Path, filled, $"decompressed data exceeds the supported maximum of {DataLimits.MaxPayloadBytes:N0} bytes per batch");
                Array.Resize(ref buffer, (int)Math.Min(DataLimits.MaxPayloadBytes, (long)buffer.Length * 2));
            }
            int n = f.Read(buffer.AsSpan((int)filled, (int)Math.Min(buffer.Length - filled, 1 << 20)));
            if (n == 0) break;
            filled += n;
        }
        Array.Resize(ref buffer, (int)filled);
        return buffer;
    }

    /// <summary>Loads a CIFAR-10 folder or a single batch file.</summary>
    public static (Dataset Train, Dataset Test, string Description) Load(string path, PixelNormalization norm, double testFraction, ulong seed)
    {
        IReadOnlyList<string> trainFiles;
        string? testFile;
        if (File.Exists(path))
        {
            trainFiles = [path];
            testFile = null;
        }
        else
        {
            (trainFiles, testFile) = FindBatches(path);
            if (trainFiles.Count == 0)
                throw new InvalidDataException($"{path}: no CIFAR-10 training batches (expected data_batch_1.bin ... data_batch_5.bin{(testFile is null ? " and test_batch.bin" : $" beside {Path.GetFileName(testFile)}")})");
        }
        var parts = trainFiles.Select(ReadBatch).ToList();
        long total = parts.Sum(p => (long)p.Labels.Length);
        (byte[] Pixels, int[] Labels)? test = testFile is null ? null : ReadBatch(testFile);
        long values = (total + (test?.Labels.Length ?? 0)) * ImageSize;
        if (values > DataLimits.MaxDenseValues)
            throw new InvalidDataException($"{path}: {total + (test?.Labels.Length ?? 0):N0} images x {ImageSize} = {values:N0} float features exceeds the limit of {DataLimits.MaxDenseValues:N0}");
        var pixels = new byte[total * ImageSize];
        var labels = new int[total];
        long at = 0;
        foreach (var p in parts)
        {
            p.Pixels.CopyTo(pixels, at * ImageSize);
            p.Labels.CopyTo(labels, at);
            at += p.Labels.Length;
        }
        int[] shape = [3, 32, 32];
        var maps = ByteImages.Affine(norm, pixels, 3, 1024);
        string normText = norm == PixelNormalization.Unit ? "pixels scaled to [0,1]" : "pixels standardised per channel with the training mean/std";
        var train = ByteImages.ToDataset("cifar10/train", pixels, shape, labels, Classes, maps);
        if (test is { } t)
        {
            var testSet = ByteImages.ToDataset("cifar10/test", t.Pixels, shape, t.Labels, Classes, maps);
            return (train, testSet, $"CIFAR-10 ({path}): {train.Count} train ({trainFiles.Count} batches) / {testSet.Count} test images 3x32x32, {normText}");
        }
        var (tr, ts) = HoldOut.Split(new Dataset("cifar10", train.Features, train.FeatureCount, train.Labels, Classes, null, shape), testFraction, seed, path);
        return (tr, ts, $"CIFAR-10 ({path}): {tr.Count} train / {ts.Count} held-out test images 3x32x32 (no test batch; fraction {testFraction}, seed {seed}), {normText}");
    }
}
