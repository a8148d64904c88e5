namespace Polyak.Data;

/// <summary>
/// Resolves a <c>--data</c> spec (and optional <c>--format</c>) to train and test sets.
/// Today: <c>synthetic[:NAME]</c>. Throws <see cref="ArgumentException"/> naming the spec when it cannot.
/// </summary>
public static class DataCatalog
{
    /// <summary>Loads the data named by <paramref name="spec"/>.</summary>
    public static (Dataset Train, Dataset Test, string Description) Load(string spec, string? format, double testFraction, ulong seed)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new ArgumentException("--data is empty");
        if (spec.StartsWith("synthetic", StringComparison.OrdinalIgnoreCase))
        {
            try { return SyntheticData.Generate(spec, seed); }
            catch (FormatException ex) { throw new ArgumentException(ex.Message, ex); }
        }
        throw new ArgumentException($"unknown data '{spec}': expected synthetic[:{string.Join("|", SyntheticData.Names)}]");
    }
}
