namespace Polyak.Execution;

/// <summary>Staleness statistics of a run.</summary>
public sealed record StalenessSummary(double Mean, int Max, long[] Histogram);
