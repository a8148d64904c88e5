namespace Polyak.Cli;

/// <summary>One run of <c>polyak runs</c>.</summary>
/// <param name="Dir">The run folder.</param>
/// <param name="Status">Its record's status.</param>
/// <param name="Abandoned">True when the record says running but its process is gone.</param>
/// <param name="Model">Model name.</param>
/// <param name="Updates">Updates the record counts.</param>
/// <param name="FinalLoss">Latest evaluation loss.</param>
public sealed record RunListEntry(string Dir, string Status, bool Abandoned, string Model, long Updates, double FinalLoss);
