namespace Polyak.Data;

/// <summary>
/// A parsed <c>--data</c> value: a source (named set or path) and optional <c>,key=value</c> options, e.g.
/// <c>fashion-mnist,norm=standard</c> or <c>a9a.svm,test=a9a.t</c>. A value that names an existing file or folder
/// is taken whole (so paths may contain commas).
/// </summary>
public sealed class DataSpec
{
    private readonly Dictionary<string, string> _options;

    private DataSpec(string text, string source, Dictionary<string, string> options)
    {
        Text = text;
        Source = source;
        _options = options;
    }

    /// <summary>The spec as given.</summary>
    public string Text { get; }

    /// <summary>The named set or path.</summary>
    public string Source { get; }

    /// <summary>Parses a spec.</summary>
    public static DataSpec Parse(string text)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(text) || Directory.Exists(text) || !text.Contains(','))
            return new DataSpec(text, text.Trim(), options);
        string[] parts = text.Split(',');
        foreach (string p in parts.Skip(1))
        {
            int eq = p.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"data '{text}': option '{p}' is not key=value");
            options[p[..eq].Trim()] = p[(eq + 1)..].Trim();
        }
        return new DataSpec(text, parts[0].Trim(), options);
    }

    /// <summary>
    /// The spec with its paths made absolute (the source and a <c>test=</c> file, when they name existing files or
    /// folders), so a run record finds its data from any working directory; names (synthetic, fashion-mnist) and specs
    /// that name nothing on disk are returned unchanged.
    /// </summary>
    public static string Absolute(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || (text.StartsWith("synthetic", StringComparison.OrdinalIgnoreCase) && !File.Exists(text) && !Directory.Exists(text)))
            return text;
        if (File.Exists(text) || Directory.Exists(text)) return Path.GetFullPath(text);
        DataSpec spec;
        try { spec = Parse(text); }
        catch (ArgumentException) { return text; } // the loader reports it
        if (!File.Exists(spec.Source) && !Directory.Exists(spec.Source)) return text;
        var parts = new List<string> { Path.GetFullPath(spec.Source) };
        foreach (var (key, value) in spec._options)
            parts.Add($"{key}={(key.Equals("test", StringComparison.OrdinalIgnoreCase) && File.Exists(value) ? Path.GetFullPath(value) : value)}");
        return string.Join(',', parts);
    }

    /// <summary>Removes and returns option <paramref name="key"/>, or null.</summary>
    public string? Take(string key) => _options.Remove(key, out var v) ? v : null;

    /// <summary>Throws when options are left that no loader consumed.</summary>
    public void RejectLeftovers(string allowed)
    {
        if (_options.Count > 0)
            throw new ArgumentException($"data '{Text}': unknown option(s) {string.Join(", ", _options.Keys)}; allowed here: {allowed}");
    }
}
