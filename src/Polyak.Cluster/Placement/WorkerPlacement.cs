using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Polyak.Cluster.Placement;

/// <summary>Spreads worker grains round-robin over the worker silos (worker i on silo i mod S).</summary>
[Serializable, GenerateSerializer, Immutable]
public sealed class WorkerPlacement : PlacementStrategy;
