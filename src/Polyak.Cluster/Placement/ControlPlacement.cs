using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Polyak.Cluster.Placement;

/// <summary>Places coordinator, sequencer and registry grains on the first control silo.</summary>
[Serializable, GenerateSerializer, Immutable]
public sealed class ControlPlacement : PlacementStrategy;
