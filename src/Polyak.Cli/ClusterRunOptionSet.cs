using System.CommandLine;
using Polyak.Cluster.Client;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>
/// <c>train</c>'s options for how a cluster job is run (<c>--leader-timeout</c>, <c>--client-grace</c>, <c>--tls-cert</c>,
/// <c>--secret-file</c>): they change the job's fault handling and access, not the training, so a resumed run may give
/// them again with other values.
/// </summary>
public sealed class ClusterRunOptionSet
{
    public readonly Option<double?> LeaderTimeout = new("--leader-timeout") { Description = "Cluster: seconds without a heartbeat before a group leader on a live silo is replaced (default 30; a leader on a dead silo is replaced at once)" };
    public readonly Option<double?> ClientGrace = new("--client-grace") { Description = "Cluster: seconds the job goes on after this client stops being heard from, then it checkpoints and stops (default 30; 0 = never)" };

    public readonly Option<bool> Detach = new("--detach") { Description = "Cluster: leave the job running once it has started (it never stops for a missing client; needs --updates or --epochs); the run ends 'detached'; follow it later with --resume DIR --attach" };
    public readonly Option<bool> Attach = new("--attach") { Description = "Cluster, with --resume DIR: follow the job still running for that run folder (detached, or whose client died) instead of submitting it again" };

    /// <summary>The cluster certificate and secret this client presents.</summary>
    public readonly ClusterAccessOptions Access = new();

    /// <summary>Every option of the set.</summary>
    public Option[] All => [LeaderTimeout, ClientGrace, Detach, Attach, .. Access.All];

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>Registers the cluster backend with the values given (when any is given).</summary>
    public void Apply(ParseResult p, Option<string?> resume)
    {
        double? leader = p.GetValue(LeaderTimeout), grace = p.GetValue(ClientGrace);
        var security = Access.Load(p);
        bool detach = p.GetValue(Detach), attach = p.GetValue(Attach);
        if (attach && p.GetValue(resume) is null) throw new ArgumentException("--attach follows the job of an existing run folder: give --resume DIR --attach");
        if (leader is null && grace is null && !detach && !attach && security == Polyak.Cluster.Security.ClusterSecurity.None) return;
        if (leader is double l && !(l >= 1 && l <= 86_400)) throw new ArgumentException($"--leader-timeout must be in [1, 86400] seconds, got {l}");
        if (grace is double g && !(g >= 0 && g <= 86_400)) throw new ArgumentException($"--client-grace must be 0 (never stop for a missing client) or up to 86400 seconds, got {g}");
        var defaults = new ClusterBackend();
        BackendCatalog.Register("cluster", () => new ClusterBackend
        {
            LeaderTimeoutSeconds = leader ?? defaults.LeaderTimeoutSeconds,
            ClientGraceSeconds = grace ?? defaults.ClientGraceSeconds,
            Security = security,
            Detach = detach,
            Attach = attach,
            Log = Console.WriteLine,
        });
    }
}
