using Orleans.Runtime;
using Polyak.Cluster.Client;
using Polyak.Cluster.Contracts;
using Polyak.Execution;
using Polyak.Training;
using Xunit;
using Xunit.Abstractions;

namespace Polyak.Cluster.Tests;

/// <summary>
/// Frozen silos (SIGSTOP, then SIGCONT), as a loaded or swapping machine freezes them. With the default failure
/// detection a 10 s freeze of the worker silo, then of the shard silo, then of the control silo (the primary and the
/// client's gateway) costs a running job nothing: no silo declared dead, no leader replaced, no rollback, no update
/// lost, and every silo a member afterwards. A silo frozen for longer than its cluster tolerates is declared dead and
/// comes back by itself as a new member.
/// </summary>
public sealed class FreezeTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "polyak-freeze-" + Guid.NewGuid().ToString("N"));
    private readonly List<SiloProcess> _silos = [];

    public void Dispose()
    {
        foreach (var s in _silos)
        {
            s.Signal("CONT"); // never leave a stopped process behind
            s.Dispose();
        }
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private void Stage(string what) => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.f} {what}");

    [Fact]
    public async Task AJobRidesOutATenSecondFreezeOfEverySilo()
    {
        var a = SiloProcess.Start("control,workers", null);
        _silos.Add(a);
        await a.WaitReady(TimeSpan.FromSeconds(90));
        var b = SiloProcess.Start("shards", a);
        var c = SiloProcess.Start("workers", a);
        _silos.AddRange([b, c]);
        await Task.WhenAll(b.WaitReady(TimeSpan.FromSeconds(90)), c.WaitReady(TimeSpan.FromSeconds(90)));
        Assert.Contains("failure detection 3 x 5 s probes", a.Output); // the defaults, not a test setting
        string endpoint = $"127.0.0.1:{a.GatewayPort}";
        Stage("3 silos ready");

        var backend = new ClusterBackend { BarrierDeadlineSeconds = 2 };
        BackendCatalog.Register("cluster", () => backend);
        var options = new TrainingOptions
        {
            Model = "softmax", Data = "synthetic:mixture,dim=128,classes=20,n=10000,test=1000", Backend = "cluster", Cluster = endpoint,
            Workers = 4, Batch = 256, LearningRate = 0.5, TimeSeconds = 60, EvalEvery = 250, EvalSize = 1000, Seed = 5, CheckpointEvery = 250,
            OutDir = Path.Combine(_dir, "run"),
        };
        var freezer = Task.Run(async () =>
        {
            while (backend.LastJobId is null) await Task.Delay(20);
            using var host = await ClusterEndpoint.ConnectAsync(ClusterEndpoint.Parse(endpoint), TimeSpan.FromSeconds(20));
            var client = (IClusterClient)host.Services.GetService(typeof(IClusterClient))!;
            var coordinator = client.GetGrain<IJobCoordinatorGrain>(backend.LastJobId);
            async Task<long> Version() => (await coordinator.Status(int.MaxValue)).Server.Version;
            async Task WaitFor(long version)
            {
                var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                long v = 0;
                while ((v = await Version()) < version && DateTime.UtcNow < until) await Task.Delay(50);
                Assert.True(v >= version, $"the job did not reach update {version} (at {v})");
            }
            long at = 200;
            foreach (var (silo, role) in new[] { (c, "worker silo"), (b, "shard silo"), (a, "control silo") })
            {
                await WaitFor(at);
                Stage($"freezing the {role} :{silo.SiloPort} at update {await Version()}");
                silo.Signal("STOP");
                await Task.Delay(TimeSpan.FromSeconds(10));
                silo.Signal("CONT");
                Stage($"the {role} goes on");
                at = await RetryVersion(Version) + 300; // the job must make progress after the freeze
            }
            await WaitFor(at);
            var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            Stage($"active silos: {string.Join(", ", hosts.Select(h => $"{h.Key} {h.Value}"))}");
            Assert.Equal(3, hosts.Count(h => h.Value == SiloStatus.Active));
            await host.StopAsync();
        });
        var result = await Task.Run(() => new Trainer().Run(options));
        await freezer;
        var record = (ClusterBackendRecord)result.Record.Backend!;
        Stage($"{result.Status}: {result.Record.Summary.Updates} updates, loss {result.Record.Summary.FinalLoss:G4}, lost {record.UpdatesLost}, recoveries {record.Recoveries}, replacements {record.WorkerReplacements}");
        foreach (var e in record.Events) output.WriteLine("  event: " + e);
        Assert.Null(result.Failure);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.True(result.Record.Summary.FinalLoss <= 0.9, $"final loss {result.Record.Summary.FinalLoss}");
        Assert.Equal(0, record.Recoveries);
        Assert.Equal(0, record.UpdatesLost);
        Assert.Equal(0, record.WorkerReplacements);
        Assert.All(_silos, s => Assert.DoesNotContain("declared it dead", s.Output));
        Assert.All(_silos, s => Assert.False(s.HasExited));
    }

    private static async Task<long> RetryVersion(Func<Task<long>> version)
    {
        for (int attempt = 0; ; attempt++)
        {
            try { return await version(); }
            catch (Exception) when (attempt < 10) { await Task.Delay(500); } // the control silo has just woken up
        }
    }

    [Fact]
    public async Task ASiloFrozenLongerThanTheClusterToleratesComesBackAsANewMember()
    {
        var a = SiloProcess.Start("all", null, fastDetection: true);
        _silos.Add(a);
        await a.WaitReady(TimeSpan.FromSeconds(90));
        var b = SiloProcess.Start("workers", a, fastDetection: true);
        _silos.Add(b);
        await b.WaitReady(TimeSpan.FromSeconds(90));
        using var host = await ClusterEndpoint.ConnectAsync(ClusterEndpoint.Parse($"127.0.0.1:{a.GatewayPort}"), TimeSpan.FromSeconds(20));
        var management = ((IClusterClient)host.Services.GetService(typeof(IClusterClient))!).GetGrain<IManagementGrain>(0);
        Assert.Equal(2, (await management.GetHosts(onlyActive: true)).Count);

        Stage($"freezing :{b.SiloPort} for 12 s (the cluster tolerates 2 to 4 s)");
        b.Signal("STOP");
        await Task.Delay(TimeSpan.FromSeconds(12));
        b.Signal("CONT");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!b.Output.Contains("(incarnation 2)", StringComparison.Ordinal) && DateTime.UtcNow < until && !b.HasExited) await Task.Delay(200);
        output.WriteLine("--- frozen silo:\n" + b.Output);
        output.WriteLine("--- primary:\n" + a.Output);
        Assert.False(b.HasExited, "the frozen silo's process ended instead of rejoining");
        Assert.Contains("silo restarting: the cluster declared it dead", b.Output);
        Assert.Contains("(incarnation 2)", b.Output);
        var active = await management.GetHosts(onlyActive: true);
        Stage($"active silos: {string.Join(", ", active.Select(h => $"{h.Key} {h.Value}"))}");
        Assert.Equal(2, active.Count);
        Assert.Contains(active.Keys, s => s.Endpoint.Port == b.SiloPort);
        await host.StopAsync();
    }
}
