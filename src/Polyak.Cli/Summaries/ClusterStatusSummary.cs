namespace Polyak.Cli;

/// <summary>The <c>--json</c> line of <c>polyak cluster status</c>: the active silos and the jobs.</summary>
/// <param name="Silos">Active silos.</param>
/// <param name="Jobs">Known jobs (released ones left out).</param>
public sealed record ClusterStatusSummary(IReadOnlyList<SiloSummary> Silos, IReadOnlyList<ClusterJobSummary> Jobs);
