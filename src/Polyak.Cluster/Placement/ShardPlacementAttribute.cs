using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Polyak.Cluster.Placement;

/// <summary>Marks a grain class for <see cref="ShardPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShardPlacementAttribute() : PlacementAttribute(new ShardPlacement());
