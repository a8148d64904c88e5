namespace Polyak.Cli;

/// <summary>The <c>--json</c> line of <c>polyak runs</c>.</summary>
/// <param name="Runs">The runs, newest first.</param>
public sealed record RunsSummary(IReadOnlyList<RunListEntry> Runs);
