using System.Collections.Concurrent;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Numerics;
using Polyak.Optimization;
using Polyak.Training;
using Polyak.Cli;

namespace Polyak.Tests.Engine;

public class ThreadsBackendTests
{
    private static readonly TrainingOptions Base = new()
    {
        Data = "synthetic:mixture,dim=20,n=3000,test=200",
        Model = "softmax",
        Batch = 32,
        LearningRate = 0.3,
        Momentum = 0.6,
        WeightDecay = 1e-3,
        Updates = 300,
        Seed = 42,
        EvalEvery = 100,
        EvalSize = 300,
    };

    /// <summary>Sequential heavy-ball SGD over the batches of sampler stream 0: the reference every mode must match.</summary>
    private static float[] Sequential(TrainingOptions o, int updates)
    {
        var split = RunPlanner.LoadData(o);
        var model = ModelCatalog.Create(o.Model, split.Train);
        var w = new float[model.ParameterCount];
        model.Initialize(w, RandomStream.DeriveSeed(o.Seed, 0x1417));
        var v = new float[w.Length];
        var g = new float[w.Length];
        var sampler = new BatchSampler(split.Train.Count, o.Seed, 0);
        int b = ResolvedOptions.BatchFor(o, model.Name);
        var batch = new int[b];
        var ws = model.CreateWorkspace(b, 0);
        var schedule = LearningRateSchedule.Parse(o.Schedule ?? "constant", o.LearningRate!.Value);
        for (int t = 0; t < updates; t++)
        {
            sampler.Next(batch);
            model.LossAndGradient(w, split.Train, batch, g, ws);
            HeavyBall.Step(w, v, g, (float)(o.Momentum ?? 0), (float)schedule.At(t), (float)o.WeightDecay);
        }
        return w;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(3)]
    public void SynchronousWithNWorkersEqualsSequentialSgd(int workers)
    {
        var o = Base with { Workers = workers, Groups = 1 };
        var result = TestSupport.Train(o);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(300, result.Record.Summary.Updates);
        var reference = Sequential(o, 300);
        for (int i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(reference[i] - result.Parameters[i]) <= 1e-4f * (1 + Math.Abs(reference[i])),
                $"parameter {i}: sequential {reference[i]} vs sync x{workers} {result.Parameters[i]}");
        Assert.All(result.Record.Summary.Staleness.Histogram.Skip(1), c => Assert.Equal(0, c));
    }

    [Fact]
    public void RepeatedSynchronousRunsAreBitIdentical()
    {
        var o = Base with { Workers = 4, Groups = 1 };
        var a = TestSupport.Train(o).Parameters;
        var b = TestSupport.Train(o).Parameters;
        Assert.Equal(a, b);
    }

    [Fact]
    public void AsyncWithOneWorkerEqualsSequentialSgdWithZeroStaleness()
    {
        var o = Base with { Workers = 1, Groups = 1 };
        var result = TestSupport.Train(o);
        var reference = Sequential(o, 300);
        Assert.Equal(reference, result.Parameters);
        Assert.Equal([300L], result.Record.Summary.Staleness.Histogram);
        Assert.Equal(0, result.Record.Summary.Staleness.Max);
    }

    [Fact]
    public void SlowWorkerSeesStalenessEqualToUpdatesAppliedMeanwhile()
    {
        // Two asynchronous workers. Worker 1 holds its first gradient until worker 0 has applied 5 updates;
        // worker 0 then waits for worker 1's push. Worker 1's staleness must be exactly 5 minus its read version.
        var log = new ConcurrentQueue<(int Group, long Read, long Tau)>();
        int fastPushes = 0;
        var slowPushed = new ManualResetEventSlim();
        var o = Base with { Workers = 2, Groups = 2, Updates = 40, Momentum = 0 };
        var result = TestSupport.Train(o, ctx =>
        {
            ctx.BeforePushHook = (group, step) =>
            {
                if (group == 1 && step == 0)
                    SpinWait.SpinUntil(() => Volatile.Read(ref fastPushes) >= 5, TimeSpan.FromSeconds(20));
                if (group == 0 && step == 5)
                    slowPushed.Wait(TimeSpan.FromSeconds(20));
            };
            ctx.UpdateHook = (group, read, tau) =>
            {
                log.Enqueue((group, read, tau));
                if (group == 0) Interlocked.Increment(ref fastPushes);
                else slowPushed.Set();
            };
        });
        var entries = log.ToArray();
        var slowFirst = entries.First(e => e.Group == 1);
        Assert.True(slowFirst.Read <= 5, $"slow worker read version {slowFirst.Read}");
        Assert.Equal(5 - slowFirst.Read, slowFirst.Tau);
        Assert.Equal(5, slowFirst.Read + slowFirst.Tau); // it was the 6th update applied
        Assert.True(result.Record.Summary.Staleness.Histogram[slowFirst.Tau] >= 1);
    }

    [Theory]
    [InlineData(UpdateDiscipline.Atomic)]
    [InlineData(UpdateDiscipline.Hogwild)]
    public void EveryUpdateGetsAUniqueVersionAndHistogramMatchesLog(UpdateDiscipline discipline)
    {
        var log = new ConcurrentQueue<(long Read, long Tau)>();
        var o = Base with { Workers = 4, Groups = 4, Updates = 400, Discipline = discipline };
        var result = TestSupport.Train(o, ctx => ctx.UpdateHook = (_, read, tau) => log.Enqueue((read, tau)));
        var versions = log.Select(e => e.Read + e.Tau).OrderBy(x => x).ToArray();
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), versions);
        var hist = result.Record.Summary.Staleness.Histogram;
        Assert.Equal(400, hist.Sum());
        foreach (var grp in log.GroupBy(e => e.Tau)) Assert.Equal(grp.Count(), hist[grp.Key]);
    }

    [Fact]
    public void ComputeGroupsAverageMemberGradients()
    {
        // On the simulator with constant gradient times, 2 groups of 2 members apply their updates in exactly the order
        // of 2 groups of 1 (each cycle takes half as long; ties go to group 0), from the same batch streams. A group of 2
        // pushes the slice-weighted mean of its members' gradients, so the two runs differ only by float rounding.
        var o = Base with { Backend = "simulated", Updates = 300, Simulation = new SimulationOptions { Distribution = "constant" } };
        var split = TestSupport.Train(o with { Workers = 4, Groups = 2 });
        var whole = TestSupport.Train(o with { Workers = 2, Groups = 2 });
        Assert.Equal(whole.Record.Summary.Staleness.Histogram, split.Record.Summary.Staleness.Histogram);
        Assert.NotEqual(whole.Parameters, split.Parameters); // two slices are rounded differently from one batch
        double scale = whole.Parameters.Max(x => Math.Abs(x));
        for (int i = 0; i < whole.Parameters.Length; i++)
            Assert.True(Math.Abs(whole.Parameters[i] - split.Parameters[i]) <= 1e-4 * scale,
                $"parameter {i}: 2 x 1 member {whole.Parameters[i]}, 2 x 2 members {split.Parameters[i]}");
    }

    [Fact]
    public void ComputeGroupsOnThreadsLearn()
    {
        var o = Base with { Workers = 4, Groups = 2, Updates = 400 };
        var result = TestSupport.Train(o);
        Assert.Equal(400, result.Record.Summary.Updates);
        Assert.True(result.Record.Summary.FinalLoss < 0.8 * result.Record.Summary.InitialLoss);
        Assert.True(result.Record.Summary.FinalAccuracy > 0.3); // 10 classes: chance is 0.1
        Assert.Equal(4, ((ThreadsBackendRecord)result.Record.Backend!).WorkerThreads);
    }

    [Fact]
    public void TargetLossStopsTrainingAndRecordsUpdatesToTarget()
    {
        var o = Base with { Workers = 1, Updates = 5000, TargetLoss = 1.5, EvalEvery = 10 };
        var result = TestSupport.Train(o);
        Assert.Equal(RunStatus.ReachedTarget, result.Status);
        Assert.True(result.Record.Summary.ReachedTarget);
        long at = result.Record.Summary.UpdatesToTarget!.Value;
        Assert.True(at % 10 == 0 && at < 5000);
        Assert.Contains(result.Record.Curve, p => p.Update == at && p.Loss <= 1.5);
    }

    [Fact]
    public void NonFiniteLossStopsAsDivergedAndKeepsTheRecord()
    {
        var dir = TestSupport.TempDir("diverge");
        var o = new TrainingOptions { Data = "synthetic:regression,dim=10,n=500,test=50", Model = "linear", LearningRate = 50, Updates = 2000, Workers = 1, OutDir = dir };
        var result = new Trainer().Run(o);
        Assert.Equal(RunStatus.Diverged, result.Status);
        Assert.True(result.Record.Summary.Updates < 2000);
        Assert.Contains("diverged", File.ReadAllText(Path.Combine(dir, "run.json")));
        Assert.True(File.Exists(Path.Combine(dir, "curve.csv")));
        Assert.Equal(3, ExitCodes.For(result.Status));
    }

    [Fact]
    public void TimeLimitStops()
    {
        var o = Base with { Workers = 2, Updates = null, TimeSeconds = 0.3 };
        var result = TestSupport.Train(o);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.InRange(result.Record.Summary.WallSeconds, 0.25, 5);
    }

    [Fact]
    public void EpochLimitIsCountedInSamples()
    {
        var o = Base with { Workers = 2, Updates = null, Epochs = 2 };
        var result = TestSupport.Train(o);
        Assert.Equal((long)Math.Ceiling(2.0 * 3000 / 32), result.Record.Summary.Updates);
    }
}
