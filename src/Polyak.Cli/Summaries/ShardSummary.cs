namespace Polyak.Cli;

/// <summary>One shard of a job.</summary>
/// <param name="Index">Shard index.</param>
/// <param name="Silo">Silo holding it.</param>
/// <param name="Version">Its version.</param>
public sealed record ShardSummary(int Index, string Silo, long Version)
{
    /// <summary>Parameters in the shard's slice.</summary>
    public int Parameters { get; init; }
}
