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
