namespace Polyak.Cli;

/// <summary>Closed-loop momentum in the train summary: target and where it came from, the explicit momentum's start and end, the last total estimate.</summary>
/// <param name="Target">Target total momentum.</param>
/// <param name="TargetSource">"given" or "synchronous tune".</param>
/// <param name="Start">Explicit momentum at the start.</param>
/// <param name="FinalExplicit">Explicit momentum at the end.</param>
/// <param name="FinalTotal">Latest estimate of the total momentum.</param>
public sealed record AutoMomentumSummary(double Target, string TargetSource, double Start, double FinalExplicit, double FinalTotal);
