using Microsoft.Extensions.Hosting;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Polyak.Cluster.Placement;

namespace Polyak.Cluster.Hosting;

/// <summary>How one Polyak silo joins its cluster.</summary>
public sealed record PolyakSiloOptions
{
    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; init; } = 11111;

    /// <summary>Client gateway port.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>Primary silo endpoint (localhost clustering); null = this silo is the primary.</summary>
    public IPEndPoint? Primary { get; init; }

    /// <summary>Redis connection string for membership (several machines); null = localhost clustering.</summary>
    public string? Redis { get; init; }

    /// <summary>Address advertised to other silos and clients (Redis clustering); default loopback.</summary>
    public IPAddress AdvertisedAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Roles of this silo (comma-separated: control, shards, workers, all).</summary>
    public string Roles { get; init; } = SiloRoles.All;

    /// <summary>Cluster id (silos and clients of one cluster share it).</summary>
    public string ClusterId { get; init; } = "polyak";

    /// <summary>How quickly other silos are declared dead (and how long a freeze this silo survives).</summary>
    public FailureDetection FailureDetection { get; init; } = FailureDetection.Default;

    /// <summary>TLS certificate and cluster secret (default none: loopback, or a cluster run with --insecure).</summary>
    public Security.ClusterSecurity Security { get; init; } = Polyak.Cluster.Security.ClusterSecurity.None;
}
