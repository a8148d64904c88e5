using Polyak.Cluster.Client;
using Polyak.Cluster.Contracts;
using Polyak.Execution;
using Polyak.Training;
using Xunit;
using Xunit.Abstractions;

namespace Polyak.Cluster.Tests;

/// <summary>
/// <c>--cluster</c> with a list of gateways: the client is connected through a worker silo's gateway and the control
/// silo's; the worker silo is killed mid-run, and the run goes on through the other gateway to the end (its groups are
/// replaced on the surviving silo).
/// </summary>
public sealed class GatewayFailoverTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "polyak-failover-" + Guid.NewGuid().ToString("N"));
    private readonly List<SiloProcess> _silos = [];

    public void Dispose()
    {
        foreach (var s in _silos) s.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task TheClientFailsOverWhenItsFirstGatewayDies()
    {
        var a = SiloProcess.Start("all", null, fastDetection: true);
        _silos.Add(a);
        await a.WaitReady(TimeSpan.FromSeconds(90));
        var c = SiloProcess.Start("workers", a, fastDetection: true);
        _silos.Add(c);
        await c.WaitReady(TimeSpan.FromSeconds(90));
        string gateways = $"127.0.0.1:{c.GatewayPort},127.0.0.1:{a.GatewayPort}"; // the doomed silo's gateway first

        var backend = new ClusterBackend { BarrierDeadlineSeconds = 2 };
        BackendCatalog.Register("cluster", () => backend);
        var options = new TrainingOptions
        {
            Model = "softmax", Data = "synthetic:mixture,dim=64,classes=10,n=6000,test=1000", Backend = "cluster", Cluster = gateways,
            Workers = 4, Batch = 128, LearningRate = 0.5, TimeSeconds = 20, EvalEvery = 250, EvalSize = 1000, Seed = 3, CheckpointEvery = 250,
            OutDir = Path.Combine(_dir, "run"),
        };
        var killer = Task.Run(async () =>
        {
            while (backend.LastJobId is null) await Task.Delay(20);
            using var host = await ClusterEndpoint.ConnectAsync(ClusterEndpoint.Parse($"127.0.0.1:{a.GatewayPort}"), TimeSpan.FromSeconds(20));
            var coordinator = ((IClusterClient)host.Services.GetService(typeof(IClusterClient))!).GetGrain<IJobCoordinatorGrain>(backend.LastJobId);
            long version = 0;
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (version < 300 && DateTime.UtcNow < until)
            {
                await Task.Delay(20);
                version = (await coordinator.Status(int.MaxValue)).Server.Version;
            }
            output.WriteLine($"killing the worker silo (first gateway) at update {version}");
            c.Kill();
            await host.StopAsync();
        });
        var result = await Task.Run(() => new Trainer().Run(options));
        await killer;
        var record = (ClusterBackendRecord)result.Record.Backend!;
        output.WriteLine($"{result.Status}: {result.Record.Summary.Updates} updates, loss {result.Record.Summary.FinalLoss:G4}, replacements {record.WorkerReplacements}, cluster {record.Cluster}");
        foreach (var e in record.Events) output.WriteLine("  event: " + e);
        Assert.Null(result.Failure);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(gateways, record.Cluster);
        Assert.True(c.HasExited);
        Assert.True(record.WorkerReplacements >= 1, "the killed silo's groups were not replaced");
        Assert.True(result.Record.Summary.Updates > 600, $"the run made {result.Record.Summary.Updates} updates: it did not go on after the kill");
        Assert.True(result.Record.Summary.FinalLoss <= 0.9, $"final loss {result.Record.Summary.FinalLoss}");
    }
}
