namespace Polyak.Cluster.Contracts;

/// <summary>A member's share of a group step: its gradient and loss.</summary>
[GenerateSerializer, Immutable]
public sealed class SliceResult
{
    /// <summary>Mean gradient of the slice as bytes.</summary>
    [Id(0)] public required byte[] Gradient { get; init; }

    /// <summary>Mean loss of the slice.</summary>
    [Id(1)] public required float Loss { get; init; }
}
