using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Polyak.Cluster.Placement;

/// <summary>
/// The roles a silo can take; a silo's name is <c>polyak-{roles}-{port}</c> with roles joined by '+'
/// (e.g. <c>polyak-control+workers-11111</c>). A silo whose name has no roles takes all of them.
/// </summary>
public static class SiloRoles
{
    /// <summary>Hosts the coordinator, the sequencer and the job registry.</summary>
    public const string Control = "control";

    /// <summary>Hosts parameter shards.</summary>
    public const string Shards = "shards";

    /// <summary>Hosts workers.</summary>
    public const string Workers = "workers";

    /// <summary>Every role.</summary>
    public const string All = "all";

    /// <summary>The silo name for a role list and port.</summary>
    public static string SiloName(string roles, int port) => $"polyak-{roles.Replace(',', '+')}-{port}";

    /// <summary>Whether a silo named <paramref name="siloName"/> takes <paramref name="role"/>.</summary>
    public static bool Takes(string? siloName, string role)
    {
        if (siloName is null || !siloName.StartsWith("polyak-", StringComparison.Ordinal)) return true;
        var parts = siloName.Split('-');
        if (parts.Length < 3) return true;
        var roles = parts[1].Split('+');
        return roles.Contains(All) || roles.Contains(role);
    }

    /// <summary>Validates a comma-separated role list; throws naming the bad role.</summary>
    public static string Validate(string roles)
    {
        foreach (var r in roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (r is not (Control or Shards or Workers or All))
                throw new ArgumentException($"--role: unknown role '{r}': expected control, shards, workers or all (comma-separated)");
        }
        return string.Join(',', roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}

/// <summary>Places coordinator, sequencer and registry grains on the first control silo.</summary>
[Serializable, GenerateSerializer, Immutable]
public sealed class ControlPlacement : PlacementStrategy;

/// <summary>Spreads shard grains round-robin over the shard silos (shard k on silo k mod S).</summary>
[Serializable, GenerateSerializer, Immutable]
public sealed class ShardPlacement : PlacementStrategy;

/// <summary>Spreads worker grains round-robin over the worker silos (worker i on silo i mod S).</summary>
[Serializable, GenerateSerializer, Immutable]
public sealed class WorkerPlacement : PlacementStrategy;

/// <summary>Marks a grain class for <see cref="ControlPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ControlPlacementAttribute() : PlacementAttribute(new ControlPlacement());

/// <summary>Marks a grain class for <see cref="ShardPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShardPlacementAttribute() : PlacementAttribute(new ShardPlacement());

/// <summary>Marks a grain class for <see cref="WorkerPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class WorkerPlacementAttribute() : PlacementAttribute(new WorkerPlacement());

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
