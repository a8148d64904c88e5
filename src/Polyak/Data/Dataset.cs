namespace Polyak.Data;

/// <summary>
/// A dense in-memory dataset: <see cref="Count"/> rows of <see cref="FeatureCount"/> floats (row-major) with
/// either class labels (<see cref="Labels"/>, classification) or real targets (<see cref="Targets"/>, regression).
/// </summary>
public sealed class Dataset
{
    /// <summary>Creates a dataset; validates shapes and labels.</summary>
    public Dataset(string name, float[] features, int featureCount, int[]? labels, int classCount, float[]? targets, int[]? inputShape = null)
    {
        if (featureCount <= 0) throw new ArgumentOutOfRangeException(nameof(featureCount), "a dataset needs at least one feature");
        if (features.Length % featureCount != 0)
            throw new ArgumentException($"{name}: {features.Length} feature values is not a multiple of {featureCount} features per row");
        Count = features.Length / featureCount;
        if ((labels is null) == (targets is null))
            throw new ArgumentException($"{name}: a dataset has either labels or targets");
        if (labels is not null)
        {
            if (labels.Length != Count) throw new ArgumentException($"{name}: {labels.Length} labels for {Count} rows");
            if (classCount < 2) throw new ArgumentException($"{name}: a classification dataset needs at least 2 classes");
            for (int i = 0; i < labels.Length; i++)
                if ((uint)labels[i] >= (uint)classCount)
                    throw new ArgumentException($"{name}: label {labels[i]} at row {i} is outside [0, {classCount})");
        }
        if (targets is not null && targets.Length != Count)
            throw new ArgumentException($"{name}: {targets.Length} targets for {Count} rows");
        if (inputShape is not null && inputShape.Aggregate(1L, (a, b) => a * b) != featureCount)
            throw new ArgumentException($"{name}: input shape [{string.Join(",", inputShape)}] does not have {featureCount} elements");
        Name = name;
        Features = features;
        FeatureCount = featureCount;
        Labels = labels;
        ClassCount = labels is null ? 0 : classCount;
        Targets = targets;
        InputShape = inputShape ?? [featureCount];
    }

    /// <summary>A classification data set from row-major <paramref name="features"/> (<paramref name="featureCount"/> per row) and labels in [0, classes).</summary>
    public static Dataset ForClassification(string name, float[] features, int featureCount, int[] labels, int classes, int[]? inputShape = null) =>
        new(name, features, featureCount, labels, classes, null, inputShape);

    /// <summary>A regression data set from row-major <paramref name="features"/> (<paramref name="featureCount"/> per row) and one target per row.</summary>
    public static Dataset ForRegression(string name, float[] features, int featureCount, float[] targets) =>
        new(name, features, featureCount, null, 0, targets);

    /// <summary>Human-readable name (e.g. "synthetic:mixture/train").</summary>
    public string Name { get; }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>Number of features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>Row-major features, <c>Count * FeatureCount</c> values.</summary>
    public float[] Features { get; }

    /// <summary>Class label per row (classification) or null.</summary>
    public int[]? Labels { get; }

    /// <summary>Number of classes (0 for regression).</summary>
    public int ClassCount { get; }

    /// <summary>Regression target per row or null.</summary>
    public float[]? Targets { get; }

    /// <summary>Logical shape of one input, e.g. [1, 28, 28] for images; [FeatureCount] otherwise.</summary>
    public int[] InputShape { get; }

    /// <summary>True when the dataset has class labels.</summary>
    public bool IsClassification => Labels is not null;

    /// <summary>The features of row <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> Row(int i) => Features.AsSpan(i * FeatureCount, FeatureCount);

    /// <summary>A new dataset holding copies of the given rows.</summary>
    public Dataset Subset(ReadOnlySpan<int> rows, string name)
    {
        var f = new float[rows.Length * FeatureCount];
        int[]? l = Labels is null ? null : new int[rows.Length];
        float[]? t = Targets is null ? null : new float[rows.Length];
        for (int k = 0; k < rows.Length; k++)
        {
            Row(rows[k]).CopyTo(f.AsSpan(k * FeatureCount, FeatureCount));
            if (l is not null) l[k] = Labels![rows[k]];
            if (t is not null) t[k] = Targets![rows[k]];
        }
        return new Dataset(name, f, FeatureCount, l, ClassCount == 0 ? 2 : ClassCount, t, InputShape);
    }
}
