namespace Polyak.Theory;

/// <summary>The whole theory report: settings and one row per M.</summary>
public sealed record TheoryReport(TheoryOptions Options, double[] Eigenvalues, IReadOnlyList<TheoryRow> Rows, double WallSeconds);
