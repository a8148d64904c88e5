using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Polyak.Cluster.Placement;

/// <summary>
/// Chooses the silo of a new activation explicitly, so shards and workers spread over silos (Orleans' default can put
/// them all on one): among the active silos taking the role (all silos when none does), sorted by address, the grain
/// with index i (the number after the last '/' of its key) goes to silo i mod S; control grains go to the first.
/// </summary>
public sealed class RolePlacementDirector(string role, IClusterMembershipService membership) : IPlacementDirector
{
    /// <inheritdoc/>
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        var members = membership.CurrentSnapshot.Members;
        var eligible = compatible
            .Where(s => members.TryGetValue(s, out var m) && m.Status == SiloStatus.Active && SiloRoles.Takes(m.Name, role))
            .OrderBy(s => s.ToString(), StringComparer.Ordinal)
            .ToArray();
        if (eligible.Length == 0)
            eligible = compatible.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        if (eligible.Length == 0) throw new InvalidOperationException($"no silo can host a {role} grain");
        if (role == SiloRoles.Control) return Task.FromResult(eligible[0]);
        string key = target.GrainIdentity.Key.ToString() ?? "";
        int slash = key.LastIndexOf('/');
        int index = slash >= 0 && int.TryParse(key.AsSpan(slash + 1), out int i) ? i : Math.Abs(key.GetHashCode(StringComparison.Ordinal));
        return Task.FromResult(eligible[index % eligible.Length]);
    }
}
