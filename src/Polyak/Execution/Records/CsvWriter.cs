using System.Globalization;
using System.Text;

namespace Polyak.Execution;

/// <summary>
/// The one writer of Polyak's CSV files (RFC 4180): a header row, then rows of cells; invariant culture; a number that is
/// not finite (NaN, infinity: not measured, undefined) and a null are an empty cell; booleans are <c>true</c>/<c>false</c>;
/// a text cell holding a comma, quote or line break is quoted (quotes doubled). Build in memory, then
/// <see cref="WriteTo"/> a file atomically.
/// </summary>
public sealed class CsvWriter
{
    private readonly StringBuilder _text = new();
    private readonly int _columns;
    private int _cell;

    /// <summary>Starts a table with the given column names.</summary>
    public CsvWriter(params string[] header)
    {
        if (header.Length == 0) throw new ArgumentException("a CSV table needs at least one column");
        _columns = header.Length;
        foreach (string h in header) Text(h);
        EndRow();
    }

    /// <summary>Appends a number cell (<paramref name="format"/>, e.g. <c>G6</c>; empty when not finite).</summary>
    public CsvWriter Number(double value, string format = "G6") => Raw(double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "");

    /// <summary>Appends a number cell, empty when null or not finite.</summary>
    public CsvWriter Number(double? value, string format = "G6") => value is double v ? Number(v, format) : Raw("");

    /// <summary>Appends an integer cell (empty when null).</summary>
    public CsvWriter Integer(long? value) => Raw(value?.ToString(CultureInfo.InvariantCulture) ?? "");

    /// <summary>Appends a boolean cell.</summary>
    public CsvWriter Boolean(bool value) => Raw(value ? "true" : "false");

    /// <summary>Appends a text cell, quoted when it needs to be.</summary>
    public CsvWriter Text(string? value)
    {
        string s = value ?? "";
        bool quote = s.AsSpan().IndexOfAny(",\"\r\n") >= 0;
        return Raw(quote ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s);
    }

    /// <summary>Ends the current row; throws when it does not have one cell per column.</summary>
    public CsvWriter EndRow()
    {
        if (_cell != _columns) throw new InvalidOperationException($"a CSV row has {_cell} cells, the table has {_columns} columns");
        _text.Append('\n');
        _cell = 0;
        return this;
    }

    /// <summary>The table so far.</summary>
    public override string ToString() => _text.ToString();

    /// <summary>Writes the table to <paramref name="path"/> atomically; returns the path.</summary>
    public string WriteTo(string path)
    {
        if (_cell != 0) throw new InvalidOperationException("the last CSV row is not ended");
        AtomicFile.WriteText(path, _text.ToString());
        return path;
    }

    private CsvWriter Raw(string cell)
    {
        if (_cell == _columns) throw new InvalidOperationException($"a CSV row has more than {_columns} cells");
        if (_cell > 0) _text.Append(',');
        _text.Append(cell);
        _cell++;
        return this;
    }
}
