using Microsoft.Extensions.Hosting;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Polyak.Cluster.Placement;

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
            silo.ConfigureEndpoints(o.AdvertisedAddress, o.SiloPort, o.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(o.AdvertisedAddress));
        }
        else
        {
            silo.UseLocalhostClustering(o.SiloPort, o.GatewayPort, o.Primary, o.ClusterId, o.ClusterId);
        }
        silo.Configure<ClusterOptions>(c => { c.ClusterId = o.ClusterId; c.ServiceId = o.ClusterId; });
        silo.Configure<SiloOptions>(s => s.SiloName = SiloRoles.SiloName(roles, o.SiloPort));
        return silo.AddPolyakServices();
    }

    /// <summary>Adds Polyak's grains' services and settings to a silo (also used by the in-process test cluster).</summary>
    public static ISiloBuilder AddPolyakServices(this ISiloBuilder silo)
    {
        silo.Configure<ClusterMembershipOptions>(m =>
        {
            // Detect a dead silo within a few seconds (defaults take tens of seconds).
            m.ProbeTimeout = TimeSpan.FromSeconds(1);
            m.NumMissedProbesLimit = 2;
            m.NumVotesForDeathDeclaration = 1;
            m.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            m.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            m.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
        });
        silo.Configure<SiloMessagingOptions>(m => m.ResponseTimeout = TimeSpan.FromSeconds(10));
        silo.Configure<GrainCollectionOptions>(g => g.CollectionAge = TimeSpan.FromHours(2));
        silo.ConfigureServices(services =>
        {
            services.AddSingleton<JobDataCache>();
            services.AddSingleton<GrainStateStore>();
            services.AddPlacementDirector<ControlPlacement>(sp => new RolePlacementDirector(SiloRoles.Control, sp.GetRequiredService<IClusterMembershipService>()));
            services.AddPlacementDirector<ShardPlacement>(sp => new RolePlacementDirector(SiloRoles.Shards, sp.GetRequiredService<IClusterMembershipService>()));
            services.AddPlacementDirector<WorkerPlacement>(sp => new RolePlacementDirector(SiloRoles.Workers, sp.GetRequiredService<IClusterMembershipService>()));
        });
        return silo;
    }
}
