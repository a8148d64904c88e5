namespace Polyak.Cli;

/// <summary>One silo: address, name (with its roles), status.</summary>
/// <param name="Address">Silo address.</param>
/// <param name="Name">Silo name.</param>
/// <param name="Status">Membership status.</param>
public sealed record SiloSummary(string Address, string Name, string Status);
