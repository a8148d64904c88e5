using Microsoft.Extensions.Hosting;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Polyak.Cluster.Placement;
using Polyak.Cluster.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Polyak.Cluster.Hosting;

/// <summary><c>UseOrleans</c> extensions that make a silo a Polyak silo.</summary>
public static class SiloHosting
{
    /// <summary>Configures clustering (localhost or Redis), endpoints, fast failure detection and Polyak's services.</summary>
    public static ISiloBuilder UsePolyakSilo(this ISiloBuilder silo, PolyakSiloOptions o)
    {
        string roles = SiloRoles.Validate(o.Roles);
        if (o.Redis is string redis)
        {
            silo.UseRedisClustering(redis);
            // Listen on the advertised address only (never every interface: a second network card stays closed).
            silo.ConfigureEndpoints(o.AdvertisedAddress, o.SiloPort, o.GatewayPort, listenOnAnyHostAddress: false);
        }
        else
        {
            silo.UseLocalhostClustering(o.SiloPort, o.GatewayPort, o.Primary, o.ClusterId, o.ClusterId);
        }
        silo.Configure<ClusterOptions>(c => { c.ClusterId = o.ClusterId; c.ServiceId = o.ClusterId; });
        silo.Configure<SiloOptions>(s => s.SiloName = SiloRoles.SiloName(roles, o.SiloPort));
        // A silo declared dead comes back as a new member (the caller's host loop restarts it), except the primary of
        // localhost clustering: it holds the membership table, so a restart would not rejoin anything.
        var restart = new SiloRestart { Enabled = o.Redis is not null || o.Primary is not null };
        if (o.Security.Certificate is { } certificate) silo.UseTls(certificate, o.Security.Configure);
        silo.ConfigureServices(services =>
        {
            services.AddSingleton(o.Security);
            services.AddSingleton(restart);
            services.AddSingleton<IFatalErrorHandler, RejoiningFatalErrorHandler>();
        });
        return silo.AddPolyakServices(o.FailureDetection);
    }

    /// <summary>
    /// Adds Polyak's grains' services and settings to a silo (also used by the in-process test cluster), with
    /// <paramref name="detection"/> (default <see cref="FailureDetection.Default"/>) deciding when a silo is dead.
    /// </summary>
    public static ISiloBuilder AddPolyakServices(this ISiloBuilder silo, FailureDetection? detection = null)
    {
        var d = (detection ?? FailureDetection.Default).Validated();
        silo.Configure<ClusterMembershipOptions>(m =>
        {
            m.ProbeTimeout = d.ProbeTimeout;
            // Orleans adapts each probe's timeout to the answers it sees (and lengthens it while the prober itself is
            // degraded), between half and 4x ProbeTimeout by default: on a quiet loopback that halves the freeze a silo
            // survives, and a silent peer can stretch detection 4x. These bounds keep both within [1x, 2x] of what was asked.
            m.MinProbeTimeout = d.ProbeTimeout;
            m.MaxProbeTimeout = d.ProbeTimeout * 2;
            m.NumMissedProbesLimit = d.MissedProbes;
            m.NumVotesForDeathDeclaration = 1; // a 2-silo cluster has one voter
            m.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            m.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            m.DeathVoteExpirationTimeout = d.ToleratedFreeze + TimeSpan.FromSeconds(10);
        });
        // A call to a frozen silo waits out the freeze instead of failing (a dead silo's calls fail when it is declared dead).
        var response = d.ToleratedFreeze + TimeSpan.FromSeconds(10);
        silo.Configure<SiloMessagingOptions>(m => m.ResponseTimeout = response < TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(10) : response);
        silo.Configure<GrainCollectionOptions>(g => g.CollectionAge = TimeSpan.FromHours(2));
        silo.ConfigureServices(services =>
        {
            services.TryAddSingleton(ClusterSecurity.None); // the in-process test cluster: no TLS, no secret
            services.AddSingleton<JobDataCache>();
            services.AddSingleton<GrainStateStore>();
            services.AddPlacementDirector<ControlPlacement>(sp => new RolePlacementDirector(SiloRoles.Control, sp.GetRequiredService<IClusterMembershipService>()));
            services.AddPlacementDirector<ShardPlacement>(sp => new RolePlacementDirector(SiloRoles.Shards, sp.GetRequiredService<IClusterMembershipService>()));
            services.AddPlacementDirector<WorkerPlacement>(sp => new RolePlacementDirector(SiloRoles.Workers, sp.GetRequiredService<IClusterMembershipService>()));
        });
        return silo;
    }
}
