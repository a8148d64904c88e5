using System.Text.Json;
using Polyak.Cluster.Client;
using Polyak.Cluster.Contracts;
using Polyak.Execution;
using Polyak.Optimization;
using Polyak.Training;
using Xunit;

namespace Polyak.Cluster.Tests;

/// <summary>
/// Staleness policies on the cluster: the shards and the sequencer run the same update core as the local servers, so a
/// sequence of updates driven by hand (chosen read versions, two shards over three coordinates) leaves exactly the
/// state a local <see cref="UpdateCore"/> reaches; the sequencer's bounded-staleness gate holds a group back until the
/// slowest applies; and whole runs report what the local backends report (dropped updates, the gate's lead).
/// </summary>
public sealed class ClusterStalenessPolicyTests(TwoSiloCluster fixture) : IClassFixture<TwoSiloCluster>
{
    private const int D = 3;

    private static JobSpec Job(string policy, int groups, string? checkpointDir = null, string? jobId = null) => new()
    {
        JobId = jobId ?? "policy-" + Guid.NewGuid().ToString("N")[..8],
        OptionsJson = JsonSerializer.Serialize(new TrainingOptions
        {
            Model = "linear", LearningRate = 0.1, Momentum = 0.5, WeightDecay = 0.01, Schedule = "constant", StalenessPolicy = policy,
        }, Json.Indented),
        Shards = 2,
        Dimension = D,
        UpdateLimit = long.MaxValue,
        EvalEvery = 1000,
        Workers = groups,
        Groups = groups,
        CheckpointDir = checkpointDir,
    };

    private static readonly float[] InitialW = [0.5f, -1f, 2f];

    /// <summary>Six updates with staleness 0, 1, 2, 1, 3, 0 and gradients that differ per update and coordinate.</summary>
    private static readonly long[] ReadVersions = [0, 0, 0, 2, 1, 5];

    private static float[] Gradient(int t) => [0.3f + 0.1f * t, -0.7f + 0.05f * t * t, 1.1f - 0.2f * t];

    /// <summary>Pushes update t from a gradient read at <paramref name="readVersion"/> through the shards and the sequencer.</summary>
    private async Task<CommitResult> Push(JobSpec job, long pushId, long readVersion, float[] gradient, float[] readW, int group = 0)
    {
        var client = fixture.Cluster.Client;
        bool withRead = StalenessPolicy.Parse(JsonSerializer.Deserialize<TrainingOptions>(job.OptionsJson, Json.Indented)!.StalenessPolicy!).NeedsReadParameters;
        for (int k = 0; k < job.Shards; k++)
        {
            var (offset, length) = ShardLayout.Slice(D, job.Shards, k);
            var shard = client.GetGrain<IShardGrain>($"{job.JobId}/{k}");
            byte[] slice = FloatBytes.ToBytes(gradient.AsSpan(offset, length));
            var status = withRead ? await shard.StageWithRead(pushId, slice, FloatBytes.ToBytes(readW.AsSpan(offset, length))) : await shard.Stage(pushId, slice);
            Assert.Equal(ShardStatus.Ok, status);
        }
        return await client.GetGrain<IUpdateSequencerGrain>(job.JobId).Commit(new CommitRequest { PushId = pushId, ReadVersion = readVersion, BatchLoss = 0, Group = group });
    }

    private async Task Release(JobSpec job)
    {
        for (int k = 0; k < job.Shards; k++) await fixture.Cluster.Client.GetGrain<IShardGrain>($"{job.JobId}/{k}").Release();
    }

    [Theory]
    [InlineData("none")]
    [InlineData("lr-scale")]
    [InlineData("drop:1")]
    [InlineData("dc:0.5")]
    [InlineData("dc-a:2")]
    public async Task HandDrivenUpdatesAcrossTwoShardsEqualTheLocalUpdateCoreBitForBit(string policy)
    {
        var job = Job(policy, groups: 1);
        var client = fixture.Cluster.Client;
        var sequencer = client.GetGrain<IUpdateSequencerGrain>(job.JobId);
        await sequencer.Start(job, FloatBytes.ToBytes(InitialW));
        var reference = new UpdateCore(ServerState.Initial([.. InitialW], 0.5), 0.01, LearningRateSchedule.Constant(0.1)) { Policy = StalenessPolicy.Parse(policy) };
        var history = new List<float[]> { reference.W.ToArray() };
        for (int t = 0; t < ReadVersions.Length; t++)
        {
            long r = ReadVersions[t];
            var g = Gradient(t);
            long tau = reference.Apply(g, r, history[(int)r]);
            history.Add(reference.W.ToArray());
            var commit = await Push(job, 1000 + t, r, g, history[(int)r]);
            Assert.Equal(CommitStatus.Applied, commit.Status);
            Assert.Equal(tau, commit.Staleness);
        }
        var snapshot = await sequencer.Snapshot();
        Assert.Equal(ReadVersions.Length, snapshot.Version);
        Assert.Equal(reference.W.ToArray(), FloatBytes.AsFloats(snapshot.W).ToArray());
        Assert.Equal(reference.V.ToArray(), FloatBytes.AsFloats(snapshot.V).ToArray());
        Assert.Equal(reference.Staleness.ToArray(), snapshot.Staleness);
        Assert.Equal(reference.DroppedUpdates, snapshot.DroppedUpdates);
        Assert.Equal(reference.MeanSquare ?? [], FloatBytes.AsFloats(snapshot.MeanSquare).ToArray());
        // The policies change the result (so the comparison can fail): drop:1 dropped the updates of staleness 2 and 3.
        if (policy == "drop:1") Assert.Equal(2, snapshot.DroppedUpdates);
        if (policy.StartsWith("dc-a", StringComparison.Ordinal)) Assert.Equal(D, reference.MeanSquare!.Length);
        if (policy != "none")
        {
            var plain = new UpdateCore(ServerState.Initial([.. InitialW], 0.5), 0.01, LearningRateSchedule.Constant(0.1));
            for (int t = 0; t < ReadVersions.Length; t++) plain.Apply(Gradient(t), ReadVersions[t]);
            Assert.NotEqual(plain.W.ToArray(), FloatBytes.AsFloats(snapshot.W).ToArray());
        }
        await Release(job);
    }

    [Fact]
    public async Task AdaptiveCompensationsMeanSquareIsCheckpointedAndTheRestartedJobContinuesFromIt()
    {
        string dir = Path.Combine(Path.GetTempPath(), "polyak-dca-" + Guid.NewGuid().ToString("N"));
        try
        {
            var job = Job("dc-a:2", groups: 1, dir);
            var client = fixture.Cluster.Client;
            var sequencer = client.GetGrain<IUpdateSequencerGrain>(job.JobId);
            await sequencer.Start(job, FloatBytes.ToBytes(InitialW));
            var reference = new UpdateCore(ServerState.Initial([.. InitialW], 0.5), 0.01, LearningRateSchedule.Constant(0.1)) { Policy = StalenessPolicy.Parse("dc-a:2") };
            var history = new List<float[]> { reference.W.ToArray() };
            async Task Step(JobSpec j, int t)
            {
                long r = ReadVersions[t];
                reference.Apply(Gradient(t), r, history[(int)r]);
                history.Add(reference.W.ToArray());
                Assert.Equal(CommitStatus.Applied, (await Push(j, 2000 + t, r, Gradient(t), history[(int)r])).Status);
            }
            for (int t = 0; t < 4; t++) await Step(job, t);
            Assert.Equal(4, await sequencer.Checkpoint());
            await Release(job);

            // A new job over the same folder resumes at update 4 with the mean square of update 4, and goes on as the reference.
            var again = Job("dc-a:2", groups: 1, dir);
            var resumed = client.GetGrain<IUpdateSequencerGrain>(again.JobId);
            Assert.Equal(4, await resumed.Start(again, FloatBytes.ToBytes(InitialW)));
            for (int t = 4; t < ReadVersions.Length; t++) await Step(again, t);
            var snapshot = await resumed.Snapshot();
            Assert.Equal(reference.W.ToArray(), FloatBytes.AsFloats(snapshot.W).ToArray());
            Assert.Equal(reference.MeanSquare!, FloatBytes.AsFloats(snapshot.MeanSquare).ToArray());
            await Release(again);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task TheSequencersGateHoldsAGroupMoreThanSStepsAheadUntilTheSlowestApplies()
    {
        var job = Job("ssp:1", groups: 2);
        var client = fixture.Cluster.Client;
        var sequencer = client.GetGrain<IUpdateSequencerGrain>(job.JobId);
        await sequencer.Start(job, FloatBytes.ToBytes(InitialW));
        float[] g = [0.1f, 0.1f, 0.1f];
        // Group 0 applies twice while group 1 applies nothing: its lead is 2 > 1, it must wait.
        Assert.True(await sequencer.WaitForTurn(0, 0));
        await Push(job, 1, 0, g, InitialW, group: 0);
        Assert.True(await sequencer.WaitForTurn(0, 0));
        await Push(job, 2, 1, g, InitialW, group: 0);
        Assert.False(await sequencer.WaitForTurn(0, 200));
        Assert.True(await sequencer.WaitForTurn(1, 0));
        // A waiting leader is woken by the slowest group's commit, well before its timeout.
        var waiting = sequencer.WaitForTurn(0, 30_000);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Push(job, 3, 2, g, InitialW, group: 1);
        Assert.True(await waiting);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the wait ended after {watch.Elapsed}");
        var snapshot = await sequencer.Snapshot();
        Assert.Equal([2L, 1L], snapshot.GroupSteps);
        Assert.Equal(1, snapshot.GateWaits); // one wait, however many timed-out calls it took
        Assert.Equal(1, snapshot.GateMaxLeadAtRead);
        Assert.Equal(2, snapshot.GateMaxLead);
        // A stopped job lets everyone go (the commit then says stopped).
        await Push(job, 4, 3, g, InitialW, group: 0);
        Assert.False(await sequencer.WaitForTurn(0, 0));
        await sequencer.Stop();
        Assert.True(await sequencer.WaitForTurn(0, 0));
        await Release(job);
    }

    private static TrainingOptions RunOptions(string policy) => new()
    {
        Model = "softmax",
        Data = "synthetic:mixture,n=3000,test=300",
        Backend = "cluster",
        Workers = 4,
        Groups = 4,
        Batch = 16,
        LearningRate = 0.2,
        Momentum = 0.3,
        Updates = 240,
        EvalEvery = 60,
        EvalSize = 300,
        Seed = 5,
        CheckpointEvery = 0,
        StalenessPolicy = policy,
    };

    [Fact]
    public void ADropRunCountsExactlyTheUpdatesStalerThanTheThreshold()
    {
        BackendCatalog.Register("cluster", () => new ClusterBackend(fixture.Cluster.Client) { Shards = 2 });
        var r = new Trainer().Run(RunOptions("drop:1"));
        Assert.Null(r.Failure);
        var s = r.Record.Summary;
        Assert.Equal(240, s.Updates);
        long staler = s.Staleness.Histogram.Skip(2).Sum();
        Assert.True(staler > 0, "four asynchronous groups never produced a staleness above 1");
        Assert.Equal(staler, s.DroppedUpdates);
        Assert.Equal("drop:1", r.Record.Config.StalenessPolicy);
    }

    [Fact]
    public void ABoundedStalenessRunNeverLetsAGroupReadMoreThanSStepsAhead()
    {
        BackendCatalog.Register("cluster", () => new ClusterBackend(fixture.Cluster.Client) { Shards = 2 });
        var r = new Trainer().Run(RunOptions("ssp:1"));
        Assert.Null(r.Failure);
        var s = r.Record.Summary;
        Assert.Equal(240, s.Updates);
        Assert.NotNull(s.BoundedStalenessMaxLead);
        Assert.InRange(s.BoundedStalenessMaxLead!.Value, 0, 1);
        Assert.NotNull(s.BoundedStalenessWaits);
    }

    [Fact]
    public void AnAdaptiveCompensationRunTrainsAndHandsItsMeanSquareBack()
    {
        BackendCatalog.Register("cluster", () => new ClusterBackend(fixture.Cluster.Client) { Shards = 2 });
        var r = new Trainer().Run(RunOptions("dc-a"));
        Assert.Null(r.Failure);
        Assert.Equal(240, r.Record.Summary.Updates);
        Assert.True(r.Record.Summary.FinalLoss < 0.8 * r.Record.Summary.InitialLoss, $"{r.Record.Summary.InitialLoss} -> {r.Record.Summary.FinalLoss}");
    }
}
