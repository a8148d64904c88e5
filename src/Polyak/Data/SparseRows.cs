using System.Globalization;
using System.Text;

namespace Polyak.Data;

/// <summary>The rows of one LIBSVM file before densifying: raw labels, and sparse (index, value) entries per row (CSR).</summary>
public sealed class SparseRows
{
    /// <summary>The file the rows came from.</summary>
    public required string Path { get; init; }

    /// <summary>Label (or target) per row.</summary>
    public required double[] Labels { get; init; }

    /// <summary>Line number of each row, for error messages.</summary>
    public required long[] Lines { get; init; }

    /// <summary>Start of row i's entries in <see cref="Indices"/>; length rows + 1.</summary>
    public required long[] RowStart { get; init; }

    /// <summary>0-based feature index of each entry.</summary>
    public required int[] Indices { get; init; }

    /// <summary>Value of each entry.</summary>
    public required float[] Values { get; init; }

    /// <summary>Largest 1-based index seen (the dense width the file needs).</summary>
    public required int MaxIndex { get; init; }

    /// <summary>Number of rows.</summary>
    public int Count => Labels.Length;
}
