namespace Polyak.Cli;

/// <summary>One group of a job.</summary>
/// <param name="Group">Group index.</param>
/// <param name="Silo">Silo of its leader.</param>
/// <param name="Steps">Updates it pushed.</param>
public sealed record GroupSummary(int Group, string Silo, long Steps)
{
    /// <summary>Workers the leader computes for because they are gone.</summary>
    public int[] MissingMembers { get; init; } = [];
}
