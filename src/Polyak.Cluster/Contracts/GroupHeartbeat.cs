using Orleans.Runtime;

namespace Polyak.Cluster.Contracts;

/// <summary>A group leader's periodic report.</summary>
[GenerateSerializer, Immutable]
public sealed class GroupHeartbeat
{
    /// <summary>Group index.</summary>
    [Id(0)] public int Group { get; init; }

    /// <summary>Updates this group pushed (applied).</summary>
    [Id(1)] public long Steps { get; init; }

    /// <summary>Silo of the leader.</summary>
    [Id(2)] public string Silo { get; init; } = "";

    /// <summary>Members (worker indices) currently excluded from the group.</summary>
    [Id(3)] public int[] MissingMembers { get; init; } = [];

    /// <summary>Seconds since the coordinator heard from this group (filled in by the coordinator).</summary>
    [Id(4)] public double SilentSeconds { get; init; }

    /// <summary>Generation of the group's leader.</summary>
    [Id(5)] public int Generation { get; init; }

    /// <summary>Address of the leader's silo (the coordinator replaces the group as soon as membership declares it dead).</summary>
    [Id(6)] public SiloAddress? Address { get; init; }
}
