using Polyak.Numerics;

namespace Polyak.Data;

/// <summary>Splits a held-out test set off a data source that has no test file: a seeded random
/// <c>TestFraction</c> of the rows (at least one row each side), chosen from the run seed.</summary>
public static class HoldOut
{
    /// <summary>Splits <paramref name="all"/> into train and test rows; both keep the original row order.</summary>
    public static (Dataset Train, Dataset Test) Split(Dataset all, double testFraction, ulong seed, string source)
    {
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentException($"test fraction must be in (0, 1) to hold out a test split of {source}, got {testFraction}");
        if (all.Count < 2)
            throw new InvalidDataException($"{source}: has {all.Count} row(s); at least 2 are needed to hold out a test split");
        int testCount = (int)Math.Clamp(Math.Round(all.Count * testFraction), 1, all.Count - 1);
        var order = Enumerable.Range(0, all.Count).ToArray();
        RandomStream.Derive(seed, 0xDA7A, 0x5917).Shuffle(order.AsSpan());
        var test = order.AsSpan(0, testCount).ToArray();
        var train = order.AsSpan(testCount).ToArray();
        Array.Sort(test);
        Array.Sort(train);
        return (all.Subset(train, all.Name + "/train"), all.Subset(test, all.Name + "/test"));
    }
}
