namespace Polyak.Cli;

/// <summary>One grid point of a tune: its configuration, status, median and spread of updates to target, median final loss.</summary>
/// <param name="Lr">Learning rate.</param>
/// <param name="Momentum">Momentum.</param>
/// <param name="Status">Status of the median run.</param>
/// <param name="UpdatesToTarget">Median updates to target (null when the median run did not reach it).</param>
/// <param name="UpdatesMin">Fewest updates to target over the seeds that reached it.</param>
/// <param name="UpdatesMax">Most updates to target over the seeds that reached it.</param>
/// <param name="FinalLoss">Final evaluation loss of the median run.</param>
public sealed record TunePointSummary(double Lr, double Momentum, string Status, double? UpdatesToTarget, double? UpdatesMin, double? UpdatesMax, double FinalLoss);
