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

    /// <summary>A validation split held out of the training data (<c>--validation N</c>), or null: accuracy targets use it instead of the test split.</summary>
    public Dataset? Validation { get; init; }

    /// <summary>The split an accuracy target is measured on: the validation split when there is one, else the test split.</summary>
    public Dataset HeldOut => Validation ?? Test;

    /// <summary>
    /// This split with <paramref name="rows"/> training rows held out as a validation split (seeded by
    /// <paramref name="seed"/>; both keep their row order) and the evaluation subset drawn again from what remains.
    /// </summary>
    public DataSplit WithValidation(int rows, int evalSize, ulong seed)
    {
        if (rows >= Train.Count)
            throw new ArgumentException($"--validation {rows:N0} leaves no training rows (the training split has {Train.Count:N0})");
        var order = Enumerable.Range(0, Train.Count).ToArray();
        Numerics.RandomStream.Derive(seed, 0xDA7A, 0x7A11D).Shuffle(order.AsSpan());
        var held = order.AsSpan(0, rows).ToArray();
        var kept = order.AsSpan(rows).ToArray();
        Array.Sort(held);
        Array.Sort(kept);
        var train = Train.Subset(kept, Train.Name + "/train");
        return this with
        {
            Train = train,
            Validation = Train.Subset(held, Train.Name + "/validation"),
            EvalRows = ChooseEvalRows(train.Count, evalSize, seed),
            Description = $"{Description}; {rows:N0} training rows held out for validation",
        };
    }

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
