namespace Polyak.Cluster.Contracts;

/// <summary>What one worker does in a job.</summary>
[GenerateSerializer, Immutable]
public sealed class WorkerAssignment
{
    /// <summary>The job.</summary>
    [Id(0)] public required JobSpec Job { get; init; }

    /// <summary>Group index.</summary>
    [Id(1)] public required int Group { get; init; }

    /// <summary>Member index within the group (0 = leader).</summary>
    [Id(2)] public required int Member { get; init; }

    /// <summary>Generation of the group (incremented when the leader is replaced; derives a fresh sample stream).</summary>
    [Id(3)] public int Generation { get; init; }
}
