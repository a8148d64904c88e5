using Polyak.Cluster.Client;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Optimization;
using Polyak.Training;
using Xunit;

namespace Polyak.Cluster.Tests;

/// <summary>
/// The cluster runs the same engine as the local backends (one update core, one group step): where the order of updates
/// is fixed (one group), its runs are bit-identical to sequential SGD and to the threads backend, dropout included.
/// </summary>
public sealed class ClusterEqualityTests(TwoSiloCluster fixture) : IClassFixture<TwoSiloCluster>
{
    private static TrainingOptions Options(string backend) => new()
    {
        Model = "softmax",
        Data = "synthetic:mixture,n=3000,test=300,dim=37",
        Backend = backend,
        Workers = 1,
        Groups = 1,
        Batch = 32,
        LearningRate = 0.3,
        Momentum = 0.6,
        WeightDecay = 1e-3,
        Schedule = "cosine:150",
        Updates = 150,
        EvalEvery = 25,
        EvalSize = 500,
        Seed = 11,
        CheckpointEvery = 0,
    };

    /// <summary>Sequential heavy-ball SGD over the batches of stream 0 with worker 0's workspace: the reference.</summary>
    private static (float[] W, float[] V) Sequential(TrainingOptions o)
    {
        var split = RunPlanner.LoadData(o);
        var model = ModelCatalog.Create(o.Model, split.Train);
        var w = new float[model.ParameterCount];
        model.Initialize(w, Numerics.RandomStream.DeriveSeed(o.Seed, 0x1417));
        var v = new float[w.Length];
        var g = new float[w.Length];
        var sampler = new BatchSampler(split.Train.Count, o.Seed, 0);
        var batch = new int[o.Batch!.Value];
        var ws = model.CreateWorkspace(batch.Length, GroupMember.WorkspaceSeed(o.Seed, 0));
        var schedule = LearningRateSchedule.Parse(o.Schedule!, o.LearningRate!.Value);
        for (int t = 0; t < o.Updates; t++)
        {
            sampler.Next(batch);
            model.LossAndGradient(w, split.Train, batch, g, ws);
            HeavyBall.Step(w, v, g, (float)o.Momentum!.Value, (float)schedule.At(t), (float)o.WeightDecay);
        }
        return (w, v);
    }

    [Fact]
    public void OneWorkerOnTheClusterIsBitIdenticalToSequentialSgdAndToThreads()
    {
        // Three shards of 37 * 10 + 10 = 380 parameters: slices of 127, 127, 126 (vector bodies and scalar tails).
        BackendCatalog.Register("cluster", () => new ClusterBackend(fixture.Cluster.Client) { Shards = 3 });
        var o = Options("cluster");
        var cluster = new Trainer().Run(o);
        var threads = new Trainer().Run(o with { Backend = "threads" });
        var (w, v) = Sequential(o);
        Assert.Null(cluster.Failure);
        Assert.Equal(150, cluster.Record.Summary.Updates);
        Assert.Equal([150L], cluster.Record.Summary.Staleness.Histogram);
        Assert.Equal(w, cluster.Parameters);
        Assert.Equal(v, cluster.MomentumBuffer);
        Assert.Equal(threads.Parameters, cluster.Parameters);
        // The leader evaluates at the same versions and gets the same losses.
        Assert.Equal(threads.Record.Curve.Select(p => (p.Update, p.Loss)), cluster.Record.Curve.Select(p => (p.Update, p.Loss)));
        Assert.Equal(threads.Record.Summary.FinalAccuracy, cluster.Record.Summary.FinalAccuracy);
    }

    [Fact]
    public void ASynchronousGroupWithARemoteMemberMatchesThreadsBitForBitWithDropout()
    {
        // Member 1 runs in another worker grain; its workspace is seeded by its worker index as on threads, so its
        // dropout masks, its slice's gradient and the group's update are the same.
        BackendCatalog.Register("cluster", () => new ClusterBackend(fixture.Cluster.Client) { Shards = 2 });
        var o = Options("cluster") with { Model = "fc24-relu-dropout0.5-fc10", Workers = 2, Groups = 1, LearningRate = 0.1, Updates = 80, EvalEvery = 40 };
        var cluster = new Trainer().Run(o);
        var threads = new Trainer().Run(o with { Backend = "threads" });
        Assert.Null(cluster.Failure);
        Assert.Equal(80, cluster.Record.Summary.Updates);
        Assert.Equal(threads.Parameters, cluster.Parameters);
        Assert.Equal(threads.MomentumBuffer, cluster.MomentumBuffer);
        var leaders = ((ClusterBackendRecord)cluster.Record.Backend!).Leaders;
        Assert.Empty(leaders.Single().MissingMembers);
    }
}
