using Polyak.Theory;

namespace Polyak.Reporting;

/// <summary>Writes a <see cref="TheoryReport"/>: its table (theory.csv, theory.json: <see cref="TheoryTable"/>) and its figures (<see cref="TheoryFigures"/>).</summary>
public static class TheoryReportWriter
{
    /// <summary>Writes every file into <paramref name="dir"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(TheoryReport report, string dir) => [.. TheoryTable.Write(report, dir), .. TheoryFigures.Write(report, dir)];
}
