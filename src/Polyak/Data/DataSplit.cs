namespace Polyak.Data;

/// <summary>
/// The data of a run: the training set, a held-out test set (for accuracy), and a fixed evaluation subset
/// of the training rows on which the training loss is tracked (steps-to-target are measured there).
/// </summary>
public sealed record DataSplit(Dataset Train, Dataset Test, int[] EvalRows, string Description)
{
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
