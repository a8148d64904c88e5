using System.Globalization;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Polyak.Data;

/// <summary>
/// A fingerprint of the data a run trains on: the shapes and an XxHash64 of the decoded arrays (features, labels or
/// targets) of the train and test sets, e.g. <c>xxh64:9f3c...;train 60000x784;test 10000x784</c>. A resumed run compares
/// it with the checkpoint's, so it never goes on silently on data that changed. Computed once per split (cached).
/// </summary>
public static class DataFingerprint
{
    private static readonly ConditionalWeakTable<DataSplit, string> Cache = [];

    /// <summary>The fingerprint of <paramref name="split"/>.</summary>
    public static string Of(DataSplit split) => Cache.GetValue(split, Compute);

    private static string Compute(DataSplit split)
    {
        var hash = new XxHash64();
        void Add(Dataset d)
        {
            Span<int> shape = [d.Count, d.FeatureCount, d.ClassCount];
            hash.Append(MemoryMarshal.AsBytes(shape));
            hash.Append(MemoryMarshal.AsBytes(d.Features.AsSpan()));
            if (d.Labels is { } l) hash.Append(MemoryMarshal.AsBytes(l.AsSpan()));
            if (d.Targets is { } t) hash.Append(MemoryMarshal.AsBytes(t.AsSpan()));
        }
        Add(split.Train);
        Add(split.Test);
        return string.Create(CultureInfo.InvariantCulture,
            $"xxh64:{hash.GetCurrentHashAsUInt64():x16};train {split.Train.Count}x{split.Train.FeatureCount};test {split.Test.Count}x{split.Test.FeatureCount}");
    }
}
