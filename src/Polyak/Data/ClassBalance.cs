namespace Polyak.Data;

/// <summary>
/// Warnings about a classification set's labels that usually mean a damaged file: classes with no training rows inside
/// the label range (an IDX folder's classes are its largest label + 1, so one flipped byte turns 10 classes into 256),
/// and classes with a handful of rows next to classes with thousands. Empty for regression data.
/// </summary>
public static class ClassBalance
{
    /// <summary>The warnings for <paramref name="train"/> (at most three lines).</summary>
    public static IReadOnlyList<string> Warnings(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Labels is not { } labels || train.ClassCount < 2) return [];
        var counts = new long[train.ClassCount];
        foreach (int y in labels)
            if ((uint)y < (uint)counts.Length) counts[y]++;
        var warnings = new List<string>();
        var empty = Enumerable.Range(0, counts.Length).Where(c => counts[c] == 0).ToArray();
        if (empty.Length > 0)
            warnings.Add($"{empty.Length} of {counts.Length} classes have no training rows ({Ranges(empty)}): a damaged label file, or classes this data does not use?");
        var present = counts.Where(c => c > 0).Order().ToArray();
        if (present.Length >= 2)
        {
            long median = present[present.Length / 2];
            long rare = Math.Max(1, median / 1000);
            var few = Enumerable.Range(0, counts.Length).Where(c => counts[c] > 0 && counts[c] <= rare).ToArray();
            if (few.Length > 0 && median >= 100)
                warnings.Add($"class{(few.Length > 1 ? "es" : "")} {Ranges(few)} {(few.Length > 1 ? "have" : "has")} at most {rare:N0} training row(s) against a median of {median:N0} per class: a damaged label?");
        }
        return warnings;
    }

    /// <summary><c>3, 10..254</c>: sorted class indices as ranges, the first six ranges only.</summary>
    private static string Ranges(int[] sorted)
    {
        var parts = new List<string>();
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? $"{sorted[i]}" : $"{sorted[i]}..{sorted[j]}");
            i = j + 1;
        }
        return string.Join(", ", parts.Take(6)) + (parts.Count > 6 ? ", ..." : "");
    }
}
