namespace Polyak.Data;

/// <summary>
/// The data of a run: the training set, a held-out test set (for accuracy), and a fixed evaluation subset
/// of the training rows on which the training loss is tracked (steps-to-target are measured there).
/// </summary>
public sealed record DataSplit(Dataset Train, Dataset Test, int[] EvalRows, string Description)
{
    /// <summary>
    /// The data spec (<c>--data</c>) this split was loaded from, or null for data built in memory: a run whose data has a
    /// source can be rebuilt from its configuration (a cluster's silos do that).
    /// </summary>
    public string? Source { get; init; }

    /// <summary>
    /// The data of a run from a training and a test set held in memory: the evaluation subset is a seeded sample of at
    /// most <paramref name="evalSize"/> training rows (the training loss the curve and the target loss are measured on).
    /// </summary>
    public static DataSplit From(Dataset train, Dataset test, int evalSize = 2000, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (evalSize < 1) throw new ArgumentException($"the evaluation subset needs at least 1 row, got {evalSize}");
        if (train.FeatureCount != test.FeatureCount)
            throw new ArgumentException($"train '{train.Name}' has {train.FeatureCount} features per row, test '{test.Name}' has {test.FeatureCount}");
        if (train.IsClassification != test.IsClassification)
            throw new ArgumentException($"train '{train.Name}' and test '{test.Name}' must both have labels or both have targets");
        return new DataSplit(train, test, ChooseEvalRows(train.Count, evalSize, seed), $"{train.Name} ({train.Count} rows) / {test.Name} ({test.Count} rows)");
    }

    /// <summary>Picks a fixed, seeded evaluation subset of at most <paramref name="size"/> training rows.</summary>
    public static int[] ChooseEvalRows(int trainCount, int size, ulong seed)
    {
        int n = Math.Min(size, trainCount);
        var all = Enumerable.Range(0, trainCount).ToArray();
        Numerics.RandomStream.Derive(seed, 0xE7A1).Shuffle(all.AsSpan());
        var rows = all.AsSpan(0, n).ToArray();
        Array.Sort(rows);
        return rows;
    }
}
