using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Polyak.Cluster.Placement;

/// <summary>Spreads shard grains round-robin over the shard silos (shard k on silo k mod S).</summary>
[Serializable, GenerateSerializer, Immutable]
public sealed class ShardPlacement : PlacementStrategy;
