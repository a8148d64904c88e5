using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polyak.Execution;

namespace Polyak.Dashboard;

/// <summary>Where the dashboard serves from and what it listens on (loopback unless <see cref="Host"/> says otherwise; port 0 picks a free one).</summary>
public sealed record DashboardOptions(string RunsDirectory, string Host = "127.0.0.1", int Port = 5080)
{
    /// <summary>Reads the cluster's state for the <c>/cluster</c> page (null: no cluster page).</summary>
    public Func<CancellationToken, Task<ClusterView>>? Cluster { get; init; }
}

/// <summary>
/// <c>polyak serve</c>: a live dashboard of the runs under a folder (ASP.NET Core on Kestrel). Pages are server-rendered
/// HTML and SVG; a small script shipped with it polls and swaps the fragments while runs train. Everything is read from
/// the files the runs write as they go, so the dashboard holds no copy of the data and can be started and stopped at
/// any time.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private static readonly string[] ServedExtensions = [".html", ".png", ".svg", ".csv", ".json", ".jsonl", ".txt", ".md"];
    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, Uri address, RunCatalog catalog)
    {
        _app = app;
        Address = address;
        Catalog = catalog;
    }

    /// <summary>The address it listens on, e.g. <c>http://127.0.0.1:5080/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The folders it shows.</summary>
    public RunCatalog Catalog { get; }

    /// <summary>Starts listening; throws <see cref="ArgumentException"/> for a bad host or a port in use.</summary>
    public static async Task<DashboardServer> StartAsync(DashboardOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535) throw new ArgumentException($"--port: {options.Port} is not a TCP port (0..65535; 0 picks a free one)");
        IPAddress ip = options.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(options.Host, out var parsed) ? parsed
            : throw new ArgumentException($"--host: '{options.Host}' is not an IP address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)");
        var catalog = new RunCatalog(options.RunsDirectory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(ip, options.Port));
        var app = builder.Build();
        Map(app, catalog, options.Cluster);
        try { await app.StartAsync(cancel).ConfigureAwait(false); }
        catch (IOException ex) { throw new ArgumentException($"--port: cannot listen on {options.Host}:{options.Port}: {ex.Message}", ex); }
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardServer(app, new Uri(url.EndsWith('/') ? url : url + "/"), catalog);
    }

    /// <summary>Completes when the server stops.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancel) => _app.WaitForShutdownAsync(cancel);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void Map(WebApplication app, RunCatalog catalog, Func<CancellationToken, Task<ClusterView>>? cluster)
    {
        static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");
        static IResult Svg(string svg) => Results.Content(svg, "image/svg+xml; charset=utf-8");
        IResult NotFound(string what) => Results.Content($"<!DOCTYPE html><html><head><link rel=\"icon\" href=\"data:,\"><title>Not found</title></head><body><p>{WebUtility.HtmlEncode(what)}</p><p><a href=\"/\">all runs</a></p></body></html>", "text/html; charset=utf-8", statusCode: 404);
        List<(string Id, string Dir)>? Runs(HttpContext c)
        {
            var ids = c.Request.Query["id"].Where(i => !string.IsNullOrEmpty(i)).Select(i => i!).Distinct().ToList();
            if (ids.Count == 0) return null;
            var found = ids.Select(i => (i, catalog.Resolve(i))).ToList();
            return found.Any(f => f.Item2 is null) ? null : found.Select(f => (f.i, f.Item2!)).ToList();
        }

        app.MapGet("/", () => Html(Pages.Index(catalog, cluster is not null)));
        app.MapGet("/cluster", () => cluster is null ? NotFound("no cluster: start the dashboard with polyak serve --cluster HOST:PORT") : Html(Pages.ClusterPage()));
        app.MapGet("/fragment/cluster-status", async (HttpContext c) =>
        {
            if (cluster is null) return NotFound("no cluster");
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                return Html(Pages.ClusterStatus(await cluster(timeout.Token).ConfigureAwait(false), null));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // an unreachable cluster is shown on the page, not answered as an error (the page keeps polling)
                return Html(Pages.ClusterStatus(null, $"{ex.GetType().Name}: {ex.Message}"));
            }
        });
        app.MapGet("/favicon.ico", () => Results.NoContent()); // pages served from run folders (report.html) name no icon
        app.MapGet("/fragment/runs", () => Html(Pages.RunsTable(catalog)));
        app.MapGet("/api/runs", () => Results.Json(catalog.List(), Json.Compact));
        app.MapGet("/run", (HttpContext c) => Runs(c) is [var r] ? Html(Pages.Run(r.Id)) : NotFound("no such run folder under " + catalog.Root));
        app.MapGet("/compare", (HttpContext c) => Runs(c) is { Count: > 0 } rs ? Html(Pages.Compare(rs.Select(r => r.Id).ToList())) : NotFound("give one or more run folders: /compare?id=A&id=B"));
        app.MapGet("/fragment/summary", (HttpContext c) => Runs(c) is [var r] ? Html(Pages.Summary(RunSeries.Read(r.Dir))) : NotFound("no such run"));
        app.MapGet("/fragment/cluster", (HttpContext c) => Runs(c) is [var r] ? Html(Pages.Cluster(RunSeries.Read(r.Dir))) : NotFound("no such run"));
        app.MapGet("/fragment/compare", (HttpContext c) => Runs(c) is { } rs ? Html(Pages.CompareTable(rs.Select(r => (r.Id, RunSeries.Read(r.Dir))).ToList())) : NotFound("no such run"));
        app.MapGet("/chart", (HttpContext c) =>
        {
            string name = c.Request.Query["name"].ToString();
            var rs = Runs(c);
            if (rs is null) return NotFound("no such run");
            string? svg = RunCharts.Render(name, rs.Select(r => (r.Id, RunSeries.Read(r.Dir))).ToList());
            return svg is null ? NotFound($"no chart '{name}'") : Svg(svg);
        });
        app.MapGet("/api/run", (HttpContext c) =>
        {
            if (Runs(c) is not [var r]) return Results.NotFound();
            var s = RunSeries.Read(r.Dir);
            return Results.Json(new
            {
                id = r.Id,
                status = s.Text("status"),
                points = s.Points,
                updates = s.Update.Length > 0 ? s.Update[^1] : 0,
                loss = s.Loss.Length > 0 && double.IsFinite(s.Loss[^1]) ? s.Loss[^1] : (double?)null,
                staleness = s.Staleness,
            }, Json.Compact);
        });
        app.MapGet("/api/state", (HttpContext c) =>
        {
            if (Runs(c) is not { } rs) return Results.NotFound();
            var states = rs.Select(r => (r.Id, State: RunFolderState.Read(r.Dir), Points: RunSeries.Read(r.Dir).Points)).ToList();
            bool running = states.Any(s => s.State is { Status: "running", Abandoned: false });
            string key = string.Join(";", states.Select(s => $"{s.Id}:{s.State?.Status}:{s.State?.Updates}:{s.Points}"));
            return Results.Json(new { key, running }, Json.Compact);
        });
        app.MapGet("/files/{**path}", (string path) =>
        {
            string rel = Uri.UnescapeDataString(path ?? "");
            int slash = rel.LastIndexOf('/');
            string id = slash < 0 ? "." : rel[..slash], name = slash < 0 ? rel : rel[(slash + 1)..];
            string? dir = catalog.Resolve(id.Length == 0 ? "." : id);
            if (dir is null || name.Length == 0 || name.Contains('\\') || name.StartsWith('.') || !ServedExtensions.Contains(Path.GetExtension(name).ToLowerInvariant()))
                return NotFound("no such file");
            string file = Path.Combine(dir, name);
            if (!File.Exists(file)) return NotFound($"{name} is not in {id} (yet)");
            string type = Path.GetExtension(name).ToLowerInvariant() switch
            {
                ".html" => "text/html; charset=utf-8", ".png" => "image/png", ".svg" => "image/svg+xml", ".json" => "application/json",
                _ => "text/plain; charset=utf-8",
            };
            return Results.File(File.ReadAllBytes(file), type);
        });
        app.MapGet("/assets/{name}", (string name) =>
        {
            var stream = typeof(DashboardServer).Assembly.GetManifestResourceStream("Polyak.Dashboard.Assets." + name);
            if (stream is null) return Results.NotFound();
            return Results.Stream(stream, name.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");
        });
    }
}
