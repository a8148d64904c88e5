using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polyak.Cluster.Client;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary><c>polyak cluster silo|status|stop</c>: runs an Orleans silo of a Polyak cluster, shows a cluster's state, or stops a job.</summary>
public static class ClusterCommand
{
    /// <summary>Registers the cluster backend (called once at start-up).</summary>
    public static void RegisterBackend() => BackendCatalog.Register("cluster", () => new ClusterBackend());

    /// <summary>Builds the <c>cluster</c> command.</summary>
    public static Command Create()
    {
        var cluster = new Command("cluster", "Run a silo of a Polyak cluster (Orleans) or show a cluster's silos, shards, workers and progress");
        cluster.Subcommands.Add(CreateSilo());
        cluster.Subcommands.Add(CreateStatus());
        cluster.Subcommands.Add(CreateStop());
        cluster.Subcommands.Add(CreateCert());
        cluster.Subcommands.Add(CreateAttach());
        return cluster;
    }

    private static Command CreateSilo()
    {
        var port = new Option<int?>("--port") { Description = "Silo-to-silo port (default 11111)" };
        var gateway = new Option<int?>("--gateway-port") { Description = "Client gateway port (default 30000); train with --cluster HOST:GATEWAY" };
        var primary = new Option<string?>("--primary") { Description = "HOST:PORT of the primary silo (silo port) to join; omit on the primary itself" };
        var redis = new Option<string?>("--redis") { Description = "Redis connection string for membership across machines (e.g. 10.0.0.5:6379)" };
        var host = new Option<string?>("--host") { Description = "Address advertised to other silos with --redis (default 127.0.0.1)" };
        var role = new Option<string?>("--role") { Description = "Roles of this silo: control, shards, workers or all, comma-separated (default all)" };
        var probe = new Option<double?>("--probe-timeout") { Description = "Seconds a liveness probe of another silo waits (default 5); with --missed-probes it sets how long a freeze a silo survives and how soon a dead one is noticed" };
        var missed = new Option<int?>("--missed-probes") { Description = "Probes missed in a row before a silo is declared dead (default 3: a silo frozen for up to about 15 s stays a member)" };
        var insecure = new Option<bool>("--insecure") { Description = "With a non-loopback --host: run without TLS and/or without a cluster secret (anyone who reaches the ports can join or submit jobs)" };
        var access = new ClusterAccessOptions();
        var command = new Command("silo", "Start a silo (stops cleanly on Ctrl-C / SIGTERM)");
        foreach (var o in new Option[] { port, gateway, primary, redis, host, role, probe, missed, insecure }) command.Options.Add(o);
        access.AddTo(command);
        command.SetAction(p => CommandRunner.Run(() =>
        {
            if (p.GetValue(host) is not null && p.GetValue(redis) is null)
                throw new ArgumentException("--host applies with --redis (membership across machines); without it the silos of a cluster talk over loopback only");
            var security = access.Load(p);
            var options = new PolyakSiloOptions
            {
                SiloPort = CheckPort(p.GetValue(port) ?? 11111, "--port"),
                GatewayPort = CheckPort(p.GetValue(gateway) ?? 30000, "--gateway-port"),
                Primary = p.GetValue(primary) is string pr ? ClusterEndpoint.Parse(pr, "--primary") : null,
                Redis = p.GetValue(redis),
                AdvertisedAddress = p.GetValue(host) is string h
                    ? (IPAddress.TryParse(h, out var ip) ? ip : throw new ArgumentException($"--host: expected an IP address, got '{h}'"))
                    : IPAddress.Loopback,
                Roles = p.GetValue(role) ?? "all",
                FailureDetection = new FailureDetection
                {
                    ProbeTimeout = p.GetValue(probe) is double seconds
                        ? (double.IsFinite(seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : throw new ArgumentException($"--probe-timeout must be in [0.1, 300] seconds, got {seconds}"))
                        : FailureDetection.Default.ProbeTimeout, // the range is FailureDetection.Validated's
                    MissedProbes = p.GetValue(missed) ?? FailureDetection.Default.MissedProbes,
                }.Validated(),
                Security = security,
            };
            if (!IPAddress.IsLoopback(options.AdvertisedAddress))
            {
                var missing = new List<string>();
                if (!security.UsesTls) missing.Add("--tls-cert FILE (make one with 'polyak cluster cert --out FILE')");
                if (!security.HasSecret) missing.Add("--secret-file FILE");
                if (missing.Count > 0 && !p.GetValue(insecure))
                    throw new ArgumentException($"--host {options.AdvertisedAddress} opens this silo beyond this machine: give {string.Join(" and ", missing)}, or --insecure to run without them");
                if (missing.Count > 0)
                    Console.Error.WriteLine($"warning: --insecure: this silo listens on {options.AdvertisedAddress} without {(security.UsesTls ? "a cluster secret" : security.HasSecret ? "TLS" : "TLS or a cluster secret")}; anyone who reaches its ports can {(security.UsesTls ? "submit jobs" : "join the cluster and submit jobs")}");
            }
            return RunSilo(options);
        }));
        return command;
    }

    private static Command CreateAttach()
    {
        var endpoint = new Option<string?>("--cluster") { Description = "Gateway HOST:PORT of any silo, or a comma-separated list" };
        var job = new Argument<string>("job") { Description = "The job id (as cluster status lists it)" };
        var access = new ClusterAccessOptions();
        var command = new Command("attach", "Follow a running job (detached, or whose client died) from its run folder to its end: the same as train --resume DIR --attach");
        command.Options.Add(endpoint);
        access.AddTo(command);
        command.Arguments.Add(job);
        command.SetAction(p => CommandRunner.Run(() =>
        {
            string spec = p.GetValue(endpoint) ?? throw new ArgumentException("cluster attach needs --cluster HOST:PORT");
            string id = p.GetValue(job)!;
            string runDir = RunFolderOf(ClusterEndpoint.ParseList(spec), id, access.Load(p)).GetAwaiter().GetResult();
            Console.WriteLine($"job {id} writes the run folder {runDir}: attaching");
            var args = new List<string> { "--resume", runDir, "--attach" };
            foreach (var o in access.All)
                if (p.GetValue((Option<string?>)o) is string value) args.AddRange([o.Name, value]);
            return TrainCommand.Create().Parse(args).Invoke();
        }));
        return command;
    }

    /// <summary>The run folder a job writes (its checkpoint folder's parent), from the cluster's registry.</summary>
    private static async Task<string> RunFolderOf(IPEndPoint[] gateway, string jobId, Polyak.Cluster.Security.ClusterSecurity security)
    {
        using var host = await ClusterEndpoint.ConnectAsync(gateway, TimeSpan.FromSeconds(15), security);
        var known = await host.Services.GetRequiredService<IClusterClient>().GetGrain<IJobRegistryGrain>(0).Entries();
        await host.StopAsync();
        var entry = known.FirstOrDefault(e => e.JobId == jobId)
            ?? throw new ArgumentException($"cluster attach: no job '{jobId}' on the cluster at {ClusterEndpoint.Format(gateway)} (known: {(known.Length == 0 ? "none" : string.Join(", ", known.Select(e => e.JobId)))})");
        string checkpoints = entry.CheckpointDir ?? throw new ArgumentException($"cluster attach: job {jobId} has no run folder (it was submitted without --out), so there is no record to follow it into");
        string runDir = Path.GetDirectoryName(Path.GetFullPath(checkpoints))!;
        if (!File.Exists(Path.Combine(runDir, "run.json")))
            throw new ArgumentException($"cluster attach: job {jobId} writes {runDir}, which holds no run record on this machine; attach from the machine that submitted it");
        return runDir;
    }

    private static Command CreateCert()
    {
        var output = new Option<string>("--out") { Description = "The .pfx file to write (it must not exist)", Required = true };
        var days = new Option<int?>("--days") { Description = "Days the certificate is valid (default 365)" };
        var command = new Command("cert", $"Make a self-signed cluster certificate (ECDSA P-256, PKCS#12; password from {Polyak.Cluster.Security.ClusterSecurity.PasswordVariable}, empty if unset): give the same file to every silo and client with --tls-cert");
        command.Options.Add(output);
        command.Options.Add(days);
        command.SetAction(p => CommandRunner.Run(() =>
        {
            string file = p.GetValue(output)!;
            int valid = p.GetValue(days) ?? 365;
            if (valid is < 1 or > 3650) throw new ArgumentException($"--days must be in [1, 3650], got {valid}");
            if (File.Exists(file) || Directory.Exists(file)) throw new ArgumentException($"--out: '{file}' exists; Polyak does not overwrite it (choose another name)");
            if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir && !Directory.Exists(dir)) throw new ArgumentException($"--out: folder '{dir}' does not exist");
            byte[] pfx = Polyak.Cluster.Security.ClusterSecurity.CreateCertificate(Environment.GetEnvironmentVariable(Polyak.Cluster.Security.ClusterSecurity.PasswordVariable) ?? "", valid);
            using (var f = new FileStream(file, FileMode.CreateNew, FileAccess.Write)) f.Write(pfx);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite); // the private key: owner only
            Console.WriteLine($"wrote {file}: cluster certificate valid {valid} days; give it to every silo and client with --tls-cert {file}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static int CheckPort(int port, string option) =>
        port is >= 1 and <= 65535 ? port : throw new ArgumentException($"{option} must be in [1, 65535], got {port}");

    private static int RunSilo(PolyakSiloOptions options)
    {
        Polyak.Cluster.Placement.SiloRoles.Validate(options.Roles);
        for (int incarnation = 1; ; incarnation++)
        {
            string? declaredDead = RunSiloOnce(options, incarnation);
            if (declaredDead is null) break;
            // Frozen or cut off for longer than the failure detector allows: the cluster moved on without this silo.
            // It comes back as a new member (its grains were re-placed elsewhere; jobs recover as after a crash).
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"silo restarting: the cluster declared it dead (it was unreachable for longer than {options.FailureDetection.ToleratedFreeze.TotalSeconds:G3} s); it rejoins as a new member"));
            Console.Out.Flush();
        }
        Console.WriteLine("silo stopped");
        return ExitCodes.Ok;
    }

    /// <summary>Runs one incarnation of the silo until it is stopped; returns the reason when the cluster declared it dead.</summary>
    private static string? RunSiloOnce(PolyakSiloOptions options, int incarnation)
    {
        using var app = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders()
                .AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace)
                .SetMinimumLevel(LogLevel.Warning)
                .AddFilter("Orleans.Runtime.Messaging", LogLevel.Error)
                .AddFilter("Orleans.Networking", LogLevel.Error)
                .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning))
            .ConfigureServices(s => s.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(15)))
            .UseOrleans(silo => silo.UsePolyakSilo(options))
            .Build();
        try
        {
            app.Start();
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException || ex.InnerException is System.Net.Sockets.SocketException || ex.GetType().Name.Contains("Connection", StringComparison.Ordinal))
        {
            throw new ArgumentException($"cannot start the silo on ports {options.SiloPort}/{options.GatewayPort}{(options.Primary is null ? "" : $" joining {options.Primary}")}: {ex.Message}");
        }
        // Tests and scripts wait for this line.
        var fd = options.FailureDetection;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"silo ready: {options.AdvertisedAddress}:{options.SiloPort} gateway {options.AdvertisedAddress}:{options.GatewayPort} roles {options.Roles}{(options.Redis is null ? (options.Primary is null ? " (primary)" : $" primary {options.Primary}") : " (redis membership)")}; failure detection {fd.MissedProbes} x {fd.ProbeTimeout.TotalSeconds:G3} s probes{(options.Security.UsesTls ? "; mutual TLS" : "")}{(options.Security.HasSecret ? "; cluster secret" : "")}{(incarnation > 1 ? $" (incarnation {incarnation})" : "")}"));
        Console.Out.Flush();
        // The generic host stops on SIGINT/SIGTERM: the silo leaves the cluster cleanly.
        app.WaitForShutdown();
        return app.Services.GetRequiredService<SiloRestart>().DeclaredDead;
    }

    private static Command CreateStop()
    {
        var endpoint = new Option<string?>("--cluster") { Description = "Gateway HOST:PORT of any silo, or a comma-separated list (the client fails over between them)" };
        var job = new Argument<string>("job") { Description = "The job id (as cluster status lists it)" };
        var command = new Command("stop", "Stop a running job: it takes a checkpoint at its next update and stops (rerun its command to resume)");
        command.Options.Add(endpoint);
        var stopAccess = new ClusterAccessOptions();
        stopAccess.AddTo(command);
        command.Arguments.Add(job);
        command.SetAction(p => CommandRunner.Run(() =>
        {
            string spec = p.GetValue(endpoint) ?? throw new ArgumentException("cluster stop needs --cluster HOST:PORT");
            return Stop(ClusterEndpoint.ParseList(spec), p.GetValue(job)!, stopAccess.Load(p)).GetAwaiter().GetResult();
        }));
        return command;
    }

    private static async Task<int> Stop(IPEndPoint[] gateway, string jobId, Polyak.Cluster.Security.ClusterSecurity security)
    {
        using var host = await ClusterEndpoint.ConnectAsync(gateway, TimeSpan.FromSeconds(15), security);
        var client = host.Services.GetRequiredService<IClusterClient>();
        var known = await client.GetGrain<IJobRegistryGrain>(0).Entries();
        var entry = known.FirstOrDefault(e => e.JobId == jobId)
            ?? throw new ArgumentException($"cluster stop: no job '{jobId}' on the cluster at {ClusterEndpoint.Format(gateway)} (known: {(known.Length == 0 ? "none" : string.Join(", ", known.Select(e => e.JobId)))})");
        var coordinator = client.GetGrain<IJobCoordinatorGrain>(jobId);
        var status = await coordinator.Status(int.MaxValue);
        if (status.JobId.Length == 0 || status.Finished)
        {
            Console.WriteLine($"job {jobId} is not running ({entry.Outcome ?? "its coordinator holds no state"})");
            await host.StopAsync();
            return ExitCodes.Ok;
        }
        long at;
        try
        {
            at = await coordinator.StopAtCheckpoint("stopped by 'polyak cluster stop'" + (entry.CheckpointDir is null ? "" : $" at a checkpoint in {entry.CheckpointDir}"), security.Prove(jobId));
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ArgumentException($"cluster stop: {ex.Message}");
        }
        Console.WriteLine(at >= 0 ? $"job {jobId}: stopped, checkpoint at update {at} in {entry.CheckpointDir}" : $"job {jobId}: stopped (it has no checkpoint folder)");
        await host.StopAsync();
        return ExitCodes.Ok;
    }

    private static Command CreateStatus()
    {
        var endpoint = new Option<string?>("--cluster") { Description = "Gateway HOST:PORT of any silo, or a comma-separated list (the client fails over between them)" };
        var json = new Option<bool>("--json") { Description = "Print the status as one JSON object on the last line" };
        var command = new Command("status", "Show the silos, and for each job its shards, workers, progress and events");
        command.Options.Add(endpoint);
        command.Options.Add(json);
        var statusAccess = new ClusterAccessOptions();
        statusAccess.AddTo(command);
        command.SetAction(p => CommandRunner.Run(() =>
        {
            string spec = p.GetValue(endpoint) ?? throw new ArgumentException("cluster status needs --cluster HOST:PORT");
            return Status(ClusterEndpoint.ParseList(spec), p.GetValue(json), statusAccess.Load(p)).GetAwaiter().GetResult();
        }));
        return command;
    }

    private static async Task<int> Status(IPEndPoint[] gateway, bool json, Polyak.Cluster.Security.ClusterSecurity security)
    {
        using var host = await ClusterEndpoint.ConnectAsync(gateway, TimeSpan.FromSeconds(15), security);
        var status = await ReadStatus(host.Services.GetRequiredService<IClusterClient>());
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"cluster at {ClusterEndpoint.Format(gateway)}: {status.Silos.Count} active silo(s)");
        foreach (var s in status.Silos) Console.WriteLine($"  silo {s.Name,-32} {s.Address} {s.Status}");
        foreach (var j in status.Jobs)
        {
            if (j.Finished && j.Shards.Count == 0)
            {
                Console.WriteLine(string.Create(c, $"job {j.JobId}: {j.State}, {j.Updates:N0} updates"));
                continue;
            }
            Console.WriteLine(string.Create(c, $"job {j.JobId}: {j.Updates:N0} updates, batch loss {j.BatchLoss:G4}, {j.State}, checkpoints {j.Checkpoints} (last at {j.LastCheckpoint}), updates lost {j.UpdatesLost}"));
            foreach (var sh in j.Shards) Console.WriteLine($"  shard {sh.Index}: {sh.Parameters:N0} parameters on {sh.Silo}, version {sh.Version}");
            foreach (var g in j.Groups) Console.WriteLine($"  group {g.Group}: leader on {g.Silo}, {g.Steps} updates{(g.MissingMembers.Length > 0 ? $", missing workers {string.Join(',', g.MissingMembers)}" : "")}");
            foreach (var e in j.Events) Console.WriteLine($"  event: {e}");
        }
        if (status.Jobs.Count == 0) Console.WriteLine("no jobs");
        if (json) Console.WriteLine(JsonSerializer.Serialize(status, Json.Compact));
        await host.StopAsync();
        return ExitCodes.Ok;
    }

    /// <summary>The cluster's active silos and its jobs (finished and released ones with their outcome), as <c>cluster status</c> and the dashboard show them.</summary>
    internal static async Task<ClusterStatusSummary> ReadStatus(IClusterClient client)
    {
        var silos = await client.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        var jobs = await client.GetGrain<IJobRegistryGrain>(0).Entries();
        var jobList = new List<ClusterJobSummary>();
        foreach (var entry in jobs)
        {
            string id = entry.JobId;
            var status = await client.GetGrain<IJobCoordinatorGrain>(id).Status(int.MaxValue);
            if (status.JobId.Length == 0)
            {
                // Released: what the registry remembers of how it ended.
                jobList.Add(new ClusterJobSummary(id, entry.Updates, true, 0, 0, double.NaN, [], [])
                {
                    State = entry.Outcome is string outcome ? $"finished ({outcome})" : "gone (its coordinator holds no state)",
                    BatchLoss = double.NaN,
                    LastCheckpoint = -1,
                    Events = [],
                });
                continue;
            }
            var shards = await client.GetGrain<IUpdateSequencerGrain>(id).Shards();
            var s = status.Server;
            jobList.Add(new ClusterJobSummary(id, s.Version, status.Finished, s.Checkpoints, s.UpdatesLost, s.Momentum,
                shards.Select(x => new ShardSummary(x.Index, x.Silo, x.Version) { Parameters = x.Length }).ToArray(),
                status.Groups.Select(x => new GroupSummary(x.Group, x.Silo, x.Steps) { MissingMembers = x.MissingMembers }).ToArray())
            {
                State = status.Finished ? "finished" : s.Stopped ? "stopping" : "running",
                BatchLoss = s.BatchLoss,
                LastCheckpoint = s.LastCheckpointVersion,
                Events = s.Events.Concat(status.Events).ToArray(),
            });
        }
        return new ClusterStatusSummary(silos.Select(s => new SiloSummary(s.SiloAddress.ToString(), s.SiloName, s.Status.ToString())).ToArray(), jobList);
    }
}
