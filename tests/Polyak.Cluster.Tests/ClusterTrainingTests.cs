using Polyak.Cluster.Grains;
using Polyak.Cluster.Client;
using Polyak.Cluster.Contracts;
using Polyak.Execution;
using Xunit;
using Polyak.Training;

namespace Polyak.Cluster.Tests;

/// <summary>The cluster backend on an in-process Orleans TestCluster (2 silos) against the threads backend.</summary>
public sealed class ClusterTrainingTests(TwoSiloCluster fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<TwoSiloCluster>
{
    private static TrainingOptions Options(string backend) => new()
    {
        Model = "softmax",
        Data = "synthetic:mixture,n=4000,test=500",
        Backend = backend,
        Workers = 4,
        Groups = 2,
        Batch = 32,
        Updates = 400,
        EvalEvery = 50,
        EvalSize = 1000,
        Seed = 7,
        CheckpointEvery = 0,
    };

    [Fact]
    public void ClusterTrainsSoftmaxToTheSameLossAsThreads()
    {
        var backend = new ClusterBackend(fixture.Cluster.Client) { Shards = 4 };
        BackendCatalog.Register("cluster", () => backend);
        var threads = new Trainer().Run(Options("threads"));
        var cluster = new Trainer().Run(Options("cluster"));

        Assert.Null(cluster.Failure);
        Assert.Equal(RunStatus.Completed, cluster.Status);
        Assert.Equal(400, cluster.Record.Summary.Updates);
        Assert.Equal(400, cluster.Record.Summary.Staleness.Histogram.Sum());
        double t = threads.Record.Summary.FinalLoss, c = cluster.Record.Summary.FinalLoss;
        double initial = cluster.Record.Summary.InitialLoss;
        output.WriteLine($"final eval loss: threads {t:G5}, cluster {c:G5} (initial {initial:G5}); staleness mean threads {threads.Record.Summary.Staleness.Mean:F2}, cluster {cluster.Record.Summary.Staleness.Mean:F2}");
        Assert.True(c < 0.7 * initial, $"cluster did not train: {initial} -> {c}");
        Assert.True(Math.Abs(c - t) <= 0.1 * t + 0.02, $"cluster final loss {c} vs threads {t}");
        // Evaluation points arrive from the workers at the eval period.
        Assert.Contains(cluster.Record.Curve, p => p.Update == 200);
        // Shards are spread over both silos.
        var shards = ((ClusterBackendRecord)cluster.Record.Backend!).Shards;
        Assert.Equal(2, shards.Select(s => s.Silo).Distinct().Count());
    }

    [Fact]
    public void AutoMomentumSteersTheClusterExplicitMomentumTowardTheTarget()
    {
        // Two asynchronous groups on two silos; the controller lives on the sequencer's update core and sees every update.
        var backend = new ClusterBackend(fixture.Cluster.Client) { Shards = 2 };
        BackendCatalog.Register("cluster", () => backend);
        const double target = 0.3, start = 0.8;
        var o = Options("cluster") with
        {
            Workers = 2,
            Groups = 2,
            Updates = 1500,
            LearningRate = 0.05,
            Momentum = null,
            AutoMomentum = new Polyak.Optimization.AutoMomentumOptions { Target = target, Initial = start, Period = 25 },
        };
        var r = new Trainer().Run(o);
        Assert.Null(r.Failure);
        Assert.Equal(RunStatus.Completed, r.Status);
        var a = r.Record.AutoMomentum!;
        output.WriteLine($"explicit {a.Start} -> {a.FinalExplicit:F3}, total {a.FinalTotal:F3}, staleness mean {r.Record.Summary.Staleness.Mean:F2}, fallbacks {a.StalenessFallbacks} of {a.Series.Count}");
        // The remote controller's series came back: one point per control period.
        Assert.Equal(1500 / 25, a.Series.Count);
        // The default signal (the measured staleness) needs no warm-up: every period steers, the first one included.
        var estimated = a.Series.Where(p => double.IsFinite(p.Total)).ToArray();
        Assert.Equal(a.Series.Count, estimated.Length);
        Assert.True(a.Series[0].Explicit < start, $"the first period did not adjust the start {start}");
        // Explicit momentum moved down from its start, and the total it steers on came closer to the target.
        Assert.True(a.FinalExplicit < start - 0.2, $"explicit momentum {a.FinalExplicit} did not move from {start}");
        Assert.True(Math.Abs(estimated[^1].Total - target) < Math.Abs(estimated[0].Total - target),
            $"total {estimated[0].Total} -> {estimated[^1].Total}, target {target}");
        Assert.InRange(estimated[^1].Total, target - 0.05, target + 0.05);
        Assert.Equal(r.Record.Summary.Updates, r.Record.Summary.Staleness.Histogram.Sum());
        // The curve records the momentum in force at each evaluation, as the leaders saw it.
        Assert.True(r.Record.Curve.Select(p => p.Momentum).Distinct().Count() > 2);
        Assert.Equal(target, r.Record.Config.AutoMomentum!.Target);
    }

    [Fact]
    public async Task AShardRestoredAtAVersionDoesNotServeOlderVersionsFromBeforeTheRestore()
    {
        var client = fixture.Cluster.Client;
        string job = "unit-" + Guid.NewGuid().ToString("N")[..8];
        var shard = client.GetGrain<IShardGrain>($"{job}/0");
        ShardInit At(long version, float w) => new()
        {
            JobId = job, Index = 0, Offset = 0, W = FloatBytes.ToBytes([w]), V = FloatBytes.ToBytes([0f]), Version = version,
            LearningRate = 0.1, Schedule = "constant", WeightDecay = 0, Momentum = 0,
        };
        await shard.Initialize(At(10, 1f));
        for (long t = 10; t < 14; t++)
        {
            Assert.Equal(ShardStatus.Ok, await shard.Stage(t, FloatBytes.ToBytes([1f])));
            Assert.Equal(ShardStatus.Ok, await shard.Apply(new ApplyCommand { PushId = t, T = t, ReadVersion = t, Mu = 0 }));
        }
        Assert.Equal(ShardStatus.Ok, (await shard.Read(12)).Status);
        // Rolled back to version 11: versions 12 and 13 of the old history, and 10, must not be served.
        await shard.Initialize(At(11, 7f));
        Assert.Equal(ShardStatus.Unavailable, (await shard.Read(10)).Status);
        Assert.Equal(ShardStatus.Unavailable, (await shard.Read(12)).Status);
        var now = await shard.Read(11);
        Assert.Equal(ShardStatus.Ok, now.Status);
        Assert.Equal([7f], FloatBytes.AsFloats(now.W).ToArray());
        await shard.Release();
    }

    [Fact]
    public void AModelOfTheCallersOwnIsRefusedByTheClusterBeforeTraining()
    {
        var backend = new ClusterBackend(fixture.Cluster.Client) { Shards = 2 };
        var data = RunPlanner.LoadData(Options("threads"));
        var model = Polyak.Models.ModelCatalog.Create("softmax", data.Train);
        var ex = Assert.Throws<ArgumentException>(() => new Trainer().Train(model, data, new TrainingSetup { Backend = backend, Updates = 10 }));
        Assert.Contains("every silo rebuilds the model and the data", ex.Message);
        Assert.Null(backend.LastJobId); // nothing was submitted
        // Data built in memory is refused too, even with a catalog model.
        BackendCatalog.Register("cluster", () => backend);
        var inMemory = Polyak.Data.DataSplit.From(data.Train, data.Test);
        Assert.Contains("every silo rebuilds", Assert.Throws<ArgumentException>(() => new Trainer().Run(Options("cluster"), data: inMemory)).Message);
        Assert.Null(backend.LastJobId);
    }

    [Fact]
    public void SynchronousGroupAppliesWithZeroStaleness()
    {
        var backend = new ClusterBackend(fixture.Cluster.Client) { Shards = 3 };
        BackendCatalog.Register("cluster", () => backend);
        var result = new Trainer().Run(Options("cluster") with { Workers = 2, Groups = 1, Updates = 60 });
        Assert.Null(result.Failure);
        Assert.Equal(60, result.Record.Summary.Updates);
        Assert.Equal([60L], result.Record.Summary.Staleness.Histogram);
    }

    [Fact]
    public async Task OnlyTheCurrentLeaderGenerationIsToldToGoOn()
    {
        var backend = new ClusterBackend(fixture.Cluster.Client) { Shards = 2 };
        BackendCatalog.Register("cluster", () => backend);
        var run = Task.Run(() => new Trainer().Run(Options("cluster") with { Updates = null, TimeSeconds = 4 }));
        while (backend.LastJobId is null) await Task.Delay(20);
        var coordinator = fixture.Cluster.Client.GetGrain<Polyak.Cluster.Contracts.IJobCoordinatorGrain>(backend.LastJobId);
        while ((await coordinator.Status(int.MaxValue)).Server.Version < 20) await Task.Delay(20);
        // A leader of an older or unknown generation (replaced, possibly still running on a silo given up for dead) must stop.
        Assert.False(await coordinator.Heartbeat(new GroupHeartbeat { Group = 0, Generation = 3 }));
        Assert.False(await coordinator.Heartbeat(new GroupHeartbeat { Group = 7, Generation = 0 }));
        Assert.True(await coordinator.Heartbeat(new GroupHeartbeat { Group = 0, Generation = 0, Silo = "test" }));
        var result = await run;
        Assert.Null(result.Failure);
        Assert.Equal(RunStatus.Completed, result.Status);
    }

    [Fact]
    public async Task StagedPushesAreDroppedByAgeNotByCount()
    {
        var client = fixture.Cluster.Client;
        string job = "unit-" + Guid.NewGuid().ToString("N")[..8];
        var shard = client.GetGrain<IShardGrain>($"{job}/0");
        await shard.Initialize(new ShardInit { JobId = job, Index = 0, Offset = 0, W = FloatBytes.ToBytes([0f]), V = FloatBytes.ToBytes([0f]), Version = 0, LearningRate = 0.1, Schedule = "constant", WeightDecay = 0, Momentum = 0 });
        byte[] g = FloatBytes.ToBytes([1f]);
        // A live push survives any number of other stage calls (the old count-based eviction dropped it after 128).
        Assert.Equal(ShardStatus.Ok, await shard.Stage(1, g));
        for (long id = 100; id < 400; id++) Assert.Equal(ShardStatus.Ok, await shard.Stage(id, g));
        Assert.Equal(ShardStatus.Ok, await shard.Apply(new ApplyCommand { PushId = 1, T = 0, ReadVersion = 0, Mu = 0 }));
        // A push left unapplied for more than AbandonedAfterVersions versions is dropped.
        Assert.Equal(ShardStatus.Ok, await shard.Stage(2, g));
        long t = 1;
        for (long id = 1000; t <= ShardGrain.AbandonedAfterVersions + 1; id++, t++)
        {
            Assert.Equal(ShardStatus.Ok, await shard.Stage(id, g));
            Assert.Equal(ShardStatus.Ok, await shard.Apply(new ApplyCommand { PushId = id, T = t, ReadVersion = t, Mu = 0 }));
        }
        Assert.Equal(ShardStatus.Ok, await shard.Stage(3, g));
        Assert.Equal(ShardStatus.Missing, await shard.Apply(new ApplyCommand { PushId = 2, T = t, ReadVersion = t, Mu = 0 }));
        Assert.Equal(ShardStatus.Ok, await shard.Apply(new ApplyCommand { PushId = 3, T = t, ReadVersion = t, Mu = 0 }));
        await shard.Release();
    }

    [Fact]
    public async Task ShardsApplyTheHeavyBallRuleInOrder()
    {
        var client = fixture.Cluster.Client;
        string job = "unit-" + Guid.NewGuid().ToString("N")[..8];
        var shard = client.GetGrain<IShardGrain>($"{job}/0");
        await shard.Initialize(new ShardInit { JobId = job, Index = 0, Offset = 0, W = FloatBytes.ToBytes([1f, 2f]), V = FloatBytes.ToBytes([0.5f, 0f]), Version = 3, LearningRate = 0.1, Schedule = "constant", WeightDecay = 0, Momentum = 0.5 });
        Assert.Equal(ShardStatus.Ok, await shard.Stage(42, FloatBytes.ToBytes([1f, -1f])));
        Assert.Equal(ShardStatus.Mismatch, await shard.Apply(new ApplyCommand { PushId = 42, T = 4, ReadVersion = 4, Mu = 0.5f }));
        Assert.Equal(ShardStatus.Missing, await shard.Apply(new ApplyCommand { PushId = 43, T = 3, ReadVersion = 3, Mu = 0.5f }));
        Assert.Equal(ShardStatus.Ok, await shard.Apply(new ApplyCommand { PushId = 42, T = 3, ReadVersion = 3, Mu = 0.5f }));
        var now = await shard.Read(-1);
        Assert.Equal(4, now.Version);
        var w = FloatBytes.AsFloats(now.W).ToArray();
        // v = 0.5*0.5 - 0.1*1 = 0.15 -> w0 = 1.15; v = 0 - 0.1*(-1) = 0.1 -> w1 = 2.1
        Assert.Equal(1.15f, w[0], 5);
        Assert.Equal(2.1f, w[1], 5);
        var old = await shard.Read(3);
        Assert.Equal([1f, 2f], FloatBytes.AsFloats(old.W).ToArray());
        await shard.Release();
    }

    [Fact]
    public void ResumesFromTheLatestCheckpointAndRefusesBadOnes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "polyak-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            BackendCatalog.Register("cluster", () => new ClusterBackend(fixture.Cluster.Client) { Shards = 2 });
            var o = Options("cluster") with { OutDir = dir, Updates = 200, CheckpointEvery = 100 };
            var first = new Trainer().Run(o);
            Assert.Null(first.Failure);
            string ckpts = Path.Combine(dir, "checkpoints");
            Assert.NotEmpty(Directory.GetFiles(ckpts, "ckpt-*.bin"));

            var second = new Trainer().Resume(dir, x => x with { Updates = 300 });
            Assert.Null(second.Failure);
            Assert.Equal(200L, ((ClusterBackendRecord)second.Record.Backend!).ResumedFrom);
            Assert.Equal(300, second.Record.Summary.Updates);
            Assert.Equal(300, second.Record.Summary.Staleness.Histogram.Sum());

            // A model of another size: clear error, checkpoints untouched.
            var before = Directory.GetFiles(ckpts).ToDictionary(f => f, File.ReadAllBytes);
            // (A job that is not this run's resume, given the same checkpoint folder.)
            BackendCatalog.Register("cluster", () => new ClusterBackend(fixture.Cluster.Client) { Shards = 2, CheckpointDir = ckpts });
            var mismatch = new Trainer().Run(o with { OutDir = null, Updates = 400, Data = "synthetic:mixture,n=4000,test=500,dim=32" });
            Assert.NotNull(mismatch.Failure);
            Assert.Contains("model size mismatch", mismatch.Failure!.Message);
            Assert.Equal(before.Keys.Order(), Directory.GetFiles(ckpts).Order());
            Assert.All(before, kv => Assert.Equal(kv.Value, File.ReadAllBytes(kv.Key)));

            // A corrupted latest checkpoint: checksum mismatch, nothing overwritten.
            string latest = Directory.GetFiles(ckpts, "ckpt-*.bin").Order().Last();
            var bytes = File.ReadAllBytes(latest);
            bytes[^40] ^= 0x55;
            File.WriteAllBytes(latest, bytes);
            var corrupted = new Trainer().Run(o with { OutDir = null, Updates = 400 });
            Assert.NotNull(corrupted.Failure);
            Assert.Contains("checksum mismatch", corrupted.Failure!.Message);
            Assert.Equal(bytes, File.ReadAllBytes(latest));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
