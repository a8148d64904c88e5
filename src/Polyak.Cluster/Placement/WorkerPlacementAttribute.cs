using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Polyak.Cluster.Placement;

/// <summary>Marks a grain class for <see cref="WorkerPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class WorkerPlacementAttribute() : PlacementAttribute(new WorkerPlacement());
