using Polyak.Data;

namespace Polyak.Tests;

/// <summary>Small seeded image datasets for network tests (shape [C,H,W]).</summary>
internal static class TestImages
{
    /// <summary>Train and test sets of <c>synthetic:images</c> with the given shape.</summary>
    public static DataSplit Split(int channels = 1, int size = 28, int classes = 10, int n = 2000, int test = 500, ulong seed = 1, double noise = 0.5)
    {
        var (train, testSet, desc) = SyntheticData.Generate(
            $"synthetic:images,classes={classes},channels={channels},size={size},n={n},test={test},noise={noise}", seed);
        return new DataSplit(train, testSet, DataSplit.ChooseEvalRows(train.Count, 500, seed), desc);
    }
}
