using System.Globalization;

namespace Polyak.Data;

/// <summary>
/// Maps the class labels found in a file to 0..C-1: numeric labels in increasing numeric order (so LIBSVM's binary
/// -1/+1 become 0/1, and 1..C become 0..C-1), text labels (CSV) in ordinal order. The mapping is kept for the run record.
/// </summary>
public sealed class ClassMap
{
    private readonly Dictionary<string, int> _index;

    private ClassMap(string[] labels, Dictionary<string, int> index)
    {
        Labels = labels;
        _index = index;
    }

    /// <summary>The original label of each class, class c at position c.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Number of classes.</summary>
    public int Count => Labels.Count;

    /// <summary>The class of an original (canonical) label.</summary>
    public int this[string label] => _index[label];

    /// <summary>Canonical text of an integer-valued numeric label (<c>+1</c>, <c>1.0</c> -> <c>1</c>).</summary>
    public static string Canonical(double value) => ((long)value).ToString(CultureInfo.InvariantCulture);

    /// <summary>Builds the map from distinct canonical labels; <paramref name="numeric"/> sorts them as numbers.</summary>
    public static ClassMap Build(IEnumerable<string> distinct, bool numeric)
    {
        var sorted = numeric
            ? distinct.OrderBy(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : distinct.OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < sorted.Length; i++) index[sorted[i]] = i;
        return new ClassMap(sorted, index);
    }

    /// <summary>A short text such as <c>-1->0, 1->1</c> (the first 12 classes, then an ellipsis).</summary>
    public string Describe()
    {
        var shown = Labels.Take(12).Select((l, i) => $"{l}->{i}");
        return string.Join(", ", shown) + (Count > 12 ? $", ... ({Count} classes)" : "");
    }
}
