using System.Text.RegularExpressions;

namespace Polyak.Data;

/// <summary>
/// Loads an MNIST-style folder of IDX files: <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c> and,
/// when present, <c>t10k-images-idx3-ubyte</c> / <c>t10k-labels-idx1-ubyte</c> (each raw or <c>.gz</c>; <c>test</c>
/// may replace <c>t10k</c>, and <c>.</c> or <c>_</c> may replace a <c>-</c>). The official train/test files are the
/// train/test split; without test files a test split is held out. Images become features in [0, 1]
/// (or standardised), input shape [1, rows, cols].
/// </summary>
public static partial class IdxFolder
{
    [GeneratedRegex(@"^(?<role>train|t10k|test)[-_.](?<kind>images|labels)[-_.]idx(?<dims>[13])[-_.]ubyte(?<gz>\.gz)?$", RegexOptions.IgnoreCase)]
    private static partial Regex FileName();

    /// <summary>The four standard file names.</summary>
    public static readonly string[] StandardNames =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    /// <summary>True when <paramref name="folder"/> holds at least a training images file.</summary>
    public static bool Holds(string folder) => Find(folder, "train", "images") is not null;

    /// <summary>True when <paramref name="fileName"/> looks like an IDX file name.</summary>
    public static bool IsIdxFileName(string fileName) => FileName().IsMatch(fileName);

    /// <summary>The file of <paramref name="role"/> (train or test) and <paramref name="kind"/> (images or labels); raw preferred over gzip.</summary>
    public static string? Find(string folder, string role, string kind)
    {
        if (!Directory.Exists(folder)) return null;
        return Directory.EnumerateFiles(folder)
            .Select(p => (Path: p, M: FileName().Match(Path.GetFileName(p))))
            .Where(x => x.M.Success
                && x.M.Groups["kind"].Value.Equals(kind, StringComparison.OrdinalIgnoreCase)
                && (role == "train" ? x.M.Groups["role"].Value.Equals("train", StringComparison.OrdinalIgnoreCase)
                                    : !x.M.Groups["role"].Value.Equals("train", StringComparison.OrdinalIgnoreCase)))
            .OrderBy(x => x.M.Groups["gz"].Success ? 1 : 0)
            .ThenBy(x => x.Path, StringComparer.Ordinal)
            .Select(x => x.Path)
            .FirstOrDefault();
    }

    /// <summary>
    /// Loads the folder. <paramref name="classCount"/> fixes the number of classes (10 for MNIST-like sets); null
    /// infers it as the largest label + 1.
    /// </summary>
    public static (Dataset Train, Dataset Test, string Description) Load(
        string folder, string name, int? classCount, PixelNormalization norm, double testFraction, ulong seed, DecodedCache? cache)
    {
        string trainImages = Find(folder, "train", "images")
            ?? throw new InvalidDataException($"{folder}: no training images file (expected {StandardNames[0]} or {StandardNames[0][..^3]})");
        string trainLabels = Find(folder, "train", "labels")
            ?? throw new InvalidDataException($"{folder}: no training labels file (expected {StandardNames[1]} or {StandardNames[1][..^3]}) beside {Path.GetFileName(trainImages)}");
        string? testImages = Find(folder, "test", "images");
        string? testLabels = Find(folder, "test", "labels");
        if ((testImages is null) != (testLabels is null))
            throw new InvalidDataException($"{folder}: has {(testImages is null ? "test labels " + Path.GetFileName(testLabels) + " but no test images" : "test images " + Path.GetFileName(testImages) + " but no test labels")} (expected {StandardNames[2]} and {StandardNames[3]})");

        var (trImg, trLab) = ReadPair(trainImages, trainLabels, cache);
        (IdxArray Images, IdxArray Labels)? te = testImages is null ? null : ReadPair(testImages, testLabels!, cache);
        if (te is { } t && (t.Images.Dimensions[1] != trImg.Dimensions[1] || t.Images.Dimensions[2] != trImg.Dimensions[2]))
            throw DataError.AtByte(testImages!, 8, $"test images are {t.Images.Dimensions[1]}x{t.Images.Dimensions[2]} but training images ({Path.GetFileName(trainImages)}) are {trImg.Dimensions[1]}x{trImg.Dimensions[2]}");

        int classes = classCount ?? Math.Max(2, Math.Max(MaxLabel(trLab), te is { } t2 ? MaxLabel(t2.Labels) : 0) + 1);
        int[] trainY = Labels(trLab, trainLabels, classes);
        int[]? testY = te is { } t3 ? Labels(t3.Labels, testLabels!, classes) : null;

        int[] shape = [1, trImg.Dimensions[1], trImg.Dimensions[2]];
        var maps = ByteImages.Affine(norm, trImg.Data, 1, trImg.ItemSize);
        var train = ByteImages.ToDataset($"{name}/train", trImg.Data, shape, trainY, classes, maps);
        string normText = norm == PixelNormalization.Unit ? "pixels scaled to [0,1]" : "pixels standardised with the training mean/std";
        if (te is { } t4)
        {
            var test = ByteImages.ToDataset($"{name}/test", t4.Images.Data, shape, testY!, classes, maps);
            return (train, test, $"{name} ({folder}): {train.Count} train / {test.Count} test images {shape[1]}x{shape[2]}, {classes} classes, {normText}");
        }
        var all = train;
        var (tr, ts) = HoldOut.Split(new Dataset(name, all.Features, all.FeatureCount, all.Labels, classes, null, shape), testFraction, seed, folder);
        return (tr, ts, $"{name} ({folder}): {tr.Count} train / {ts.Count} held-out test images {shape[1]}x{shape[2]} (no test files; fraction {testFraction}, seed {seed}), {classes} classes, {normText}");
    }

    private static (IdxArray Images, IdxArray Labels) ReadPair(string imagesPath, string labelsPath, DecodedCache? cache)
    {
        var images = IdxFile.Read(imagesPath, 3, cache);
        var labels = IdxFile.Read(labelsPath, 1, cache);
        if (images.Count != labels.Count)
            throw DataError.AtByte(labelsPath, 4, $"has {labels.Count} labels but {Path.GetFileName(imagesPath)} has {images.Count} images; the counts must agree");
        return (images, labels);
    }

    private static int MaxLabel(IdxArray labels)
    {
        int max = 0;
        foreach (byte b in labels.Data) max = Math.Max(max, b);
        return max;
    }

    private static int[] Labels(IdxArray labels, string path, int classes)
    {
        var y = new int[labels.Count];
        for (int i = 0; i < y.Length; i++)
        {
            int v = labels.Data[i];
            if (v >= classes)
                throw DataError.AtByte(path, 8 + i, $"label {v} of item {i} is outside the expected range 0..{classes - 1}");
            y[i] = v;
        }
        return y;
    }
}
