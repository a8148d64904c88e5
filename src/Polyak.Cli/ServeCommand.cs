using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Polyak.Cluster.Client;
using Polyak.Dashboard;

namespace Polyak.Cli;

/// <summary>
/// <c>polyak serve [--runs DIR] [--port P] [--host H]</c>: the live dashboard of the runs under DIR (default <c>runs</c>),
/// on 127.0.0.1 unless <c>--host</c> says otherwise; with <c>--cluster HOST:PORT</c> also a live page of the cluster
/// (what <c>polyak cluster status</c> prints); Ctrl-C stops it.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var runs = new Option<string>("--runs") { Description = "Folder of run folders to show (default runs)", DefaultValueFactory = _ => "runs" };
        var port = new Option<int>("--port") { Description = "TCP port (default 5080; 0 picks a free one)", DefaultValueFactory = _ => 5080 };
        var host = new Option<string>("--host") { Description = "Address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 = every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("serve", "Serve a live dashboard of the runs in a folder: list, curves, staleness, momentum, comparisons");
        var cluster = new Option<string?>("--cluster") { Description = "Gateway HOST:PORT of a Polyak cluster: adds a live /cluster page (silos, jobs, shards, leaders, events)" };
        foreach (var o in new Option[] { runs, port, host, cluster }) command.Options.Add(o);
        var access = new ClusterAccessOptions();
        access.AddTo(command);
        command.SetAction(p => CommandRunner.Run(() =>
        {
            string dir = p.GetValue(runs)!;
            if (File.Exists(dir)) throw new ArgumentException($"--runs: '{dir}' is a file; give a folder of run folders");
            using var interruption = new Interruption("stopping the dashboard");
            var gateway = p.GetValue(cluster) is { } spec ? ClusterEndpoint.ParseList(spec) : null;
            using var clusterHost = gateway is null ? null : ClusterEndpoint.ConnectAsync(gateway, TimeSpan.FromSeconds(15), access.Load(p)).GetAwaiter().GetResult();
            var options = new DashboardOptions(dir, p.GetValue(host)!, p.GetValue(port))
            {
                Cluster = clusterHost is null ? null : async token => View(ClusterEndpoint.Format(gateway!), await ClusterCommand.ReadStatus(clusterHost.Services.GetRequiredService<IClusterClient>()).WaitAsync(token)),
                // WaitAsync: a dead silo's call can wait out Orleans' response timeout and gateway retries; the page's own 10 s bound applies
            };
            var server = DashboardServer.StartAsync(options, interruption.Token).GetAwaiter().GetResult();
            try
            {
                string note = Directory.Exists(dir) ? "" : " (the folder does not exist yet: runs written there will appear)";
                Console.WriteLine($"serving {server.Catalog.Root}{note} at {server.Address}");
                if (gateway is not null) Console.WriteLine($"cluster page: {server.Address}cluster (gateway {ClusterEndpoint.Format(gateway)})");
                Console.WriteLine("Ctrl-C stops it");
                try { Task.Delay(Timeout.Infinite, interruption.Token).GetAwaiter().GetResult(); }
                catch (OperationCanceledException) { }
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
                clusterHost?.StopAsync().GetAwaiter().GetResult();
            }
            Console.WriteLine("dashboard stopped");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The cluster page's tables from a status read.</summary>
    private static ClusterView View(string gateway, ClusterStatusSummary status)
    {
        var c = CultureInfo.InvariantCulture;
        var tables = new List<StatusTable>
        {
            new($"Silos ({status.Silos.Count} active)", ["name (roles)", "address", "status"],
                status.Silos.Select(s => (IReadOnlyList<string>)[s.Name, s.Address, s.Status]).ToList(), []),
        };
        if (status.Jobs.Count == 0) tables.Add(new StatusTable("Jobs", [], [], ["no jobs"]));
        foreach (var j in status.Jobs)
        {
            tables.Add(new StatusTable($"Job {j.JobId}: {j.State}", ["updates", "batch loss", "momentum", "checkpoints", "last checkpoint", "updates lost"],
                [[j.Updates.ToString("N0", c), j.BatchLoss.ToString("G4", c), j.Momentum.ToString("G3", c), j.Checkpoints.ToString(c), j.LastCheckpoint.ToString("N0", c), j.UpdatesLost.ToString("N0", c)]], []));
            tables.Add(new StatusTable($"Job {j.JobId}: shards", ["shard", "silo", "parameters", "version"],
                j.Shards.Select(s => (IReadOnlyList<string>)[s.Index.ToString(c), s.Silo, s.Parameters.ToString("N0", c), s.Version.ToString("N0", c)]).ToList(), []));
            tables.Add(new StatusTable($"Job {j.JobId}: group leaders", ["group", "leader's silo", "updates pushed", "missing workers"],
                j.Groups.Select(g => (IReadOnlyList<string>)[g.Group.ToString(c), g.Silo, g.Steps.ToString("N0", c), string.Join(", ", g.MissingMembers)]).ToList(),
                j.Events.Count == 0 ? ["no failures or recoveries"] : j.Events.Select(e => "event: " + e).ToList()));
        }
        return new ClusterView(gateway, tables);
    }
}
