namespace Polyak.Cluster.Client;

/// <summary>One group's leader in a cluster run.</summary>
/// <param name="Group">Group index.</param>
/// <param name="Silo">Silo of the leader at the end.</param>
/// <param name="Steps">Updates the group pushed.</param>
/// <param name="MissingMembers">Workers the leader computed for because they were gone.</param>
public sealed record ClusterLeaderRecord(int Group, string Silo, long Steps, int[] MissingMembers);
