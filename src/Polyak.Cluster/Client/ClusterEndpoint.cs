using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Polyak.Cluster.Client;

/// <summary>Parses <c>HOST:PORT</c> cluster endpoints and connects Orleans clients to a Polyak cluster's gateway.</summary>
public static class ClusterEndpoint
{
    /// <summary>Parses <c>HOST:PORT</c> (host name or address); throws naming the option and what was expected.</summary>
    public static IPEndPoint Parse(string spec, string option = "--cluster")
    {
        int colon = spec.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(spec.AsSpan(colon + 1), out int port) || port < 1 || port > 65535)
            throw new ArgumentException($"{option}: expected HOST:PORT (e.g. 127.0.0.1:30000), got '{spec}'");
        string host = spec[..colon].Trim('[', ']');
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        try
        {
            var addresses = Dns.GetHostAddresses(host);
            var v4 = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            return v4 is null ? throw new ArgumentException($"{option}: host '{host}' has no address") : new IPEndPoint(v4, port);
        }
        catch (SocketException ex)
        {
            throw new ArgumentException($"{option}: cannot resolve host '{host}': {ex.Message}");
        }
    }

    /// <summary>
    /// Parses a comma-separated list of gateways <c>HOST:PORT[,HOST:PORT...]</c> (the client fails over between them);
    /// throws naming the option and the entry that is wrong.
    /// </summary>
    public static IPEndPoint[] ParseList(string spec, string option = "--cluster")
    {
        var parts = spec.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0))
            throw new ArgumentException($"{option}: expected HOST:PORT or a comma-separated list of them (e.g. 127.0.0.1:30000,127.0.0.1:30001), got '{spec}'");
        var list = parts.Select(p => Parse(p, option)).ToArray();
        var twice = list.GroupBy(e => e).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"{option}: gateway {twice.Key} is listed twice in '{spec}'");
        return list;
    }

    /// <summary>The list as <c>--cluster</c> takes it.</summary>
    public static string Format(IReadOnlyList<IPEndPoint> gateways) => string.Join(",", gateways);

    /// <summary>
    /// Checks that a TCP connection to <paramref name="gateway"/> opens within <paramref name="timeout"/> (before any data
    /// is loaded); throws <see cref="ArgumentException"/> naming the endpoint when nothing answers there.
    /// </summary>
    public static void Probe(IPEndPoint gateway, TimeSpan timeout) => ProbeAsync(gateway, timeout, default).GetAwaiter().GetResult();

    /// <summary>
    /// Checks that at least one of <paramref name="gateways"/> accepts a TCP connection within <paramref name="timeout"/>
    /// (probed in parallel); throws <see cref="ArgumentException"/> naming each when none does.
    /// </summary>
    public static void Probe(IReadOnlyList<IPEndPoint> gateways, TimeSpan timeout) => ProbeAnyAsync(gateways, timeout, default).GetAwaiter().GetResult();

    private static async Task ProbeAnyAsync(IReadOnlyList<IPEndPoint> gateways, TimeSpan timeout, CancellationToken cancel)
    {
        if (gateways.Count == 1)
        {
            await ProbeAsync(gateways[0], timeout, cancel);
            return;
        }
        var probes = gateways.Select(g => ProbeAsync(g, timeout, cancel)).ToArray();
        try { await Task.WhenAll(probes); }
        catch (ArgumentException) when (probes.Any(p => p.IsCompletedSuccessfully)) { } // one answering gateway is enough
        catch (ArgumentException)
        {
            throw new ArgumentException($"cannot reach the cluster: none of its {gateways.Count} gateways answers ({string.Join("; ", probes.Select(p => p.Exception?.InnerException?.Message))})");
        }
    }

    private static async Task ProbeAsync(IPEndPoint gateway, TimeSpan timeout, CancellationToken cancel)
    {
        using var probe = new TcpClient();
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            cts.CancelAfter(timeout);
            await probe.ConnectAsync(gateway.Address, gateway.Port, cts.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancel.IsCancellationRequested)
        {
            throw new ArgumentException($"cannot reach the cluster at {gateway}: nothing answers there ({(ex is SocketException se ? se.SocketErrorCode.ToString() : "timed out")}); start a silo with 'polyak cluster silo' or check --cluster");
        }
    }

    /// <summary>
    /// Starts a client host connected to the gateway at <paramref name="gateway"/>; throws <see cref="ArgumentException"/>
    /// naming the endpoint when nothing answers there within <paramref name="timeout"/>.
    /// </summary>
    public static Task<IHost> ConnectAsync(IPEndPoint gateway, TimeSpan timeout, string clusterId = "polyak", CancellationToken cancel = default) =>
        ConnectAsync([gateway], timeout, null, clusterId, cancel);

    /// <summary>
    /// Starts a client host connected to the gateways in <paramref name="gateways"/>: Orleans spreads calls over them and
    /// fails over to the others when one dies; with <paramref name="security"/>'s certificate, over mutual TLS. Throws <see cref="ArgumentException"/> naming them when none answers
    /// within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<IHost> ConnectAsync(IReadOnlyList<IPEndPoint> gateways, TimeSpan timeout, Security.ClusterSecurity? security = null, string clusterId = "polyak", CancellationToken cancel = default)
    {
        if (gateways.Count == 0) throw new ArgumentException("--cluster: no gateway given");
        // Fail fast with a clear message when no process listens there at all.
        await ProbeAnyAsync(gateways, timeout, cancel);
        string gateway = Format(gateways);
        var endpoints = gateways.ToArray();
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .UseOrleansClient(c =>
            {
                c.UseStaticClustering(endpoints);
                if (security?.Certificate is { } certificate) c.UseTls(certificate, security.Configure);
                c.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = clusterId; });
                c.Configure<ClientMessagingOptions>(m => m.ResponseTimeout = TimeSpan.FromSeconds(60));
            })
            .Build();
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            cts.CancelAfter(timeout);
            await host.StartAsync(cts.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            host.Dispose();
            if (ex is OperationCanceledException)
                throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"cannot connect to the cluster at {gateway}: something accepts connections there but did not answer as an Orleans gateway within {timeout.TotalSeconds:G3} s; is it a silo's gateway port (the 'gateway' port 'polyak cluster silo' prints), is that silo still starting{(security?.UsesTls == true ? ", and was it started with the same --tls-cert" : ", or was it started with --tls-cert (then give the same file here)")}?"));
            throw new ArgumentException($"cannot connect to the cluster at {gateway}: {ex.Message}");
        }
        return host;
    }
}
