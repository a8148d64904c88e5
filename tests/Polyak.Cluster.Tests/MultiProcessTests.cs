using Polyak.Cluster.Client;
using Polyak.Cluster.Contracts;
using Polyak.Execution;
using Xunit;
using Xunit.Abstractions;
using Polyak.Training;

namespace Polyak.Cluster.Tests;

/// <summary>
/// Three silo processes on loopback (control+workers, shards, workers), started and killed by the test: asynchronous
/// training with 4 workers reaches the target; again with the worker silo killed mid-run; again with the shard silo
/// killed mid-run (the job rolls back to its latest checkpoint and reports the updates lost).
/// </summary>
public sealed class MultiProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "polyak-mp-" + Guid.NewGuid().ToString("N"));
    private readonly List<SiloProcess> _silos = [];

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("POLYAK_KEEP_SILO_LOGS") is string logDir)
            foreach (var s in _silos) File.WriteAllText(Path.Combine(logDir, $"silo-{s.SiloPort}.log"), s.Output);
        foreach (var s in _silos) s.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static TrainingOptions Options(string cluster, double lr, double? target, double seconds) => new()
    {
        Model = "softmax",
        Data = "synthetic:mixture,dim=128,classes=20,n=10000,test=1000",
        Backend = "cluster",
        Cluster = cluster,
        Workers = 4,
        Batch = 256,
        LearningRate = lr,
        TargetLoss = target,
        TimeSeconds = seconds,
        EvalEvery = 250,
        EvalSize = 1000,
        Seed = 5,
        CheckpointEvery = 250,
    };

    [Fact]
    public async Task ThreeSiloProcessesSurviveAWorkerSiloAndAShardSiloCrash()
    {
        var a = SiloProcess.Start("control,workers", null, fastDetection: true);
        _silos.Add(a);
        await a.WaitReady(TimeSpan.FromSeconds(90));
        var b = SiloProcess.Start("shards", a, fastDetection: true);
        var c = SiloProcess.Start("workers", a, fastDetection: true);
        _silos.Add(b);
        _silos.Add(c);
        await Task.WhenAll(b.WaitReady(TimeSpan.FromSeconds(90)), c.WaitReady(TimeSpan.FromSeconds(90)));
        string endpoint = $"127.0.0.1:{a.GatewayPort}";

        // 1. Plain asynchronous run.
        var first = Train(Options(endpoint, 0.5, 0.8, 120), "plain", null, 0);
        Assert.Equal(RunStatus.ReachedTarget, first.Record.Summary.ReachedTarget == true ? RunStatus.ReachedTarget : first.Status);
        var shards = ((ClusterBackendRecord)first.Record.Backend!).Shards;
        Assert.All(shards, s => Assert.Contains($":{b.SiloPort}:", s.Silo));

        // 2. The worker silo crashes mid-run: its groups are replaced on the surviving worker silo. Runs are bounded by
        // time (not by a target) so that the failure is detected and handled whatever the machine's speed.
        var second = Train(Options(endpoint, 0.5, null, 15), "worker-kill", c, 300);
        AssertReached(second, 0.9);
        Assert.True(((ClusterBackendRecord)second.Record.Backend!).WorkerReplacements >= 1, "no worker replacement recorded");

        // 3. The shard silo crashes mid-run: shards re-activate on a surviving silo from the latest checkpoint.
        var third = Train(Options(endpoint, 0.5, null, 15), "shard-kill", b, 300);
        AssertReached(third, 0.9);
        var thirdBackend = (ClusterBackendRecord)third.Record.Backend!;
        Assert.True(thirdBackend.Recoveries >= 1, "no rollback recorded");
        long lost = thirdBackend.UpdatesLost;
        // Each rollback returns to the latest checkpoint, at most one checkpoint period back.
        Assert.InRange(lost, 0, thirdBackend.Recoveries * thirdBackend.CheckpointEvery);
        var run = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(third.RunDir!, "run.json")));
        Assert.Equal(lost, run.RootElement.GetProperty("backend").GetProperty("updates_lost").GetInt64());

        // The surviving silo stops cleanly on SIGTERM.
        Assert.Equal(0, a.Terminate(TimeSpan.FromSeconds(30)));
        Assert.Contains("silo stopped", a.Output);
        foreach (var s in _silos) s.Kill();
        Assert.All(_silos, s => Assert.True(s.HasExited));
    }

    private static void AssertReached(TrainingResult r, double target)
    {
        Assert.Equal(RunStatus.Completed, r.Status);
        Assert.True(r.Record.Summary.FinalLoss <= target, $"final loss {r.Record.Summary.FinalLoss} above the target {target}");
    }

    private TrainingResult Train(TrainingOptions options, string name, SiloProcess? victim, long killAt)
    {
        var backend = new ClusterBackend { BarrierDeadlineSeconds = 2 };
        BackendCatalog.Register("cluster", () => backend);
        Task? killer = null;
        if (victim is not null)
        {
            killer = Task.Run(async () =>
            {
                while (backend.LastJobId is null) await Task.Delay(20);
                using var host = await ClusterEndpoint.ConnectAsync(ClusterEndpoint.Parse(options.Cluster!), TimeSpan.FromSeconds(20));
                var client = (IClusterClient)host.Services.GetService(typeof(IClusterClient))!;
                var coordinator = client.GetGrain<IJobCoordinatorGrain>(backend.LastJobId);
                long version = 0;
                var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                while (version < killAt && DateTime.UtcNow < until)
                {
                    await Task.Delay(20);
                    version = (await coordinator.Status(int.MaxValue)).Server.Version;
                }
                output.WriteLine($"{name}: killing silo :{victim.SiloPort} at update {version}");
                victim.Kill();
                await host.StopAsync();
            });
        }
        var result = new Trainer().Run(options with { OutDir = Path.Combine(_dir, name) });
        killer?.GetAwaiter().GetResult();
        var b = (ClusterBackendRecord)result.Record.Backend!;
        if (result.Failure is not null) output.WriteLine($"{name}: failure: {result.Failure}");
        Assert.Null(result.Failure);
        output.WriteLine($"{name}: {result.Status} ({result.Record.StopReason}), updates {result.Record.Summary.Updates}, loss {result.Record.Summary.FinalLoss:G4}, " +
            $"{result.Record.Summary.UpdatesPerSecond:F0} updates/s, lost {b.UpdatesLost}, replacements {b.WorkerReplacements}, checkpoints {b.Checkpoints}");
        foreach (var e in b.Events) output.WriteLine($"  {e}");
        output.WriteLine($"  watchdog checks {b.WatchdogChecks}");
        foreach (var l in b.Leaders) output.WriteLine($"  group {l.Group} on {l.Silo}: {l.Steps} steps");
        return result;
    }
}
