using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Numerics;
using Polyak.Optimization;
using Xunit;
using Polyak.Training;
using Polyak.Cli;

namespace Polyak.Tests.Simulation;

/// <summary>The simulated backend: determinism, sequential equivalence, exact staleness with constant times.</summary>
public sealed class SimulatedBackendTests
{
    private const string SmallData = "synthetic:mixture,n=2000,test=200,dim=16";
    private static readonly Lazy<DataSplit> Data = new(() => RunPlanner.LoadData(Options(1, 10)));

    private static TrainingOptions Options(int workers, long updates, string distribution = "exponential") => new()
    {
        Data = SmallData,
        Model = "softmax",
        Backend = "simulated",
        Workers = workers,
        Batch = 32,
        LearningRate = 0.2,
        Updates = updates,
        Seed = 7,
        EvalEvery = 100,
        EvalSize = 200,
        Simulation = new SimulationOptions { Distribution = distribution },
    };

    private static TrainingResult Train(TrainingOptions o, Action<TrainingContext>? configure = null) =>
        new Trainer { Configure = configure }.Run(o, default, Data.Value);

    [Fact]
    public void SameSeedGivesBitIdenticalRuns()
    {
        var o = Options(8, 600) with { Groups = 4, Momentum = 0.3 };
        var a = Train(o);
        var b = Train(o);
        Assert.Equal(RunStatus.Completed, a.Status);
        Assert.Equal(600, a.Record.Summary.Updates);
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.Equal(a.MomentumBuffer, b.MomentumBuffer);
        Assert.Equal(a.Record.Summary.Staleness.Histogram, b.Record.Summary.Staleness.Histogram);
        Assert.Equal(a.Record.Summary.SimulatedSeconds, b.Record.Summary.SimulatedSeconds);
        Assert.True(a.Record.Summary.Staleness.Max > 0);
    }

    [Fact]
    public void OneWorkerEqualsSequentialSgd()
    {
        var o = Options(1, 300) with { Momentum = 0.5 };
        var sim = Train(o);

        var data = Data.Value;
        var model = ModelCatalog.Create("softmax", data.Train);
        var w = new float[model.ParameterCount];
        model.Initialize(w, RandomStream.DeriveSeed(o.Seed, 0x1417));
        var v = new float[w.Length];
        var g = new float[w.Length];
        var sampler = new BatchSampler(data.Train.Count, o.Seed, 0);
        int b = ResolvedOptions.BatchFor(o, model.Name);
        var ws = model.CreateWorkspace(b, RandomStream.DeriveSeed(o.Seed, 0x3011, 0));
        var batch = new int[b];
        for (int t = 0; t < 300; t++)
        {
            sampler.Next(batch);
            model.LossAndGradient(w, data.Train, batch, g, ws);
            HeavyBall.Step(w, v, g, 0.5f, 0.2f, 0f);
        }
        Assert.Equal(w, sim.Parameters);
        Assert.Equal(v, sim.MomentumBuffer);
        Assert.Equal([300L], sim.Record.Summary.Staleness.Histogram);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(13)]
    public void ConstantTimesGiveStalenessExactlyNMinusOneAfterWarmUp(int n)
    {
        var taus = new List<long>();
        var r = Train(Options(n, 20 * n, "constant"), ctx => ctx.UpdateHook = (_, _, tau) => taus.Add(tau));
        Assert.Equal(20 * n, taus.Count);
        for (int i = 0; i < n; i++) Assert.Equal(i, taus[i]); // first round: everyone read version 0
        Assert.All(taus.Skip(n), tau => Assert.Equal(n - 1, tau));
        Assert.Equal(20.0, r.Record.Summary.SimulatedSeconds!.Value, 9); // 20 rounds of 1 simulated second
    }

    [Fact]
    public void GroupTimeScalesWithShareAndSyncCost()
    {
        // 8 workers in 2 groups of 4, constant times: each member computes B/4 samples in 0.25 s, plus sync 0.1 + 0.05 * 3.
        var o = Options(8, 40, "constant") with { Groups = 2, Simulation = new SimulationOptions { Distribution = "constant", SyncBase = 0.1, SyncPerWorker = 0.05, CommunicationDelay = 0.01 } };
        var r = Train(o);
        double cycle = 0.25 + 0.25 + 0.01;
        Assert.Equal(20 * cycle, r.Record.Summary.SimulatedSeconds!.Value, 9);
        Assert.Equal(1.0, r.Record.Summary.Staleness.Mean, 1); // two groups: staleness 1 after warm-up
    }

    [Fact]
    public void StragglerSlowsItsGroupOnly()
    {
        var taus = new List<(int Group, long Tau)>();
        var o = Options(4, 400, "constant") with { Simulation = new SimulationOptions { Distribution = "constant", Slowdown = new() { [0] = 3.0 } } };
        Train(o, ctx => ctx.UpdateHook = (g, _, tau) => taus.Add((g, tau)));
        // In 3 s the straggler pushes once while the three others push three times each.
        Assert.Equal(400 / 10.0, taus.Count(x => x.Group == 0), 0);
        Assert.True(taus.Where(x => x.Group == 0).Skip(1).All(x => x.Tau == 9));
    }

    [Fact]
    public void TimeLimitIsInSimulatedSeconds()
    {
        var o = Options(4, 1_000_000) with { Updates = null, TimeSeconds = 50 };
        var r = Train(o);
        Assert.Equal(50.0, r.Record.Summary.SimulatedSeconds);
        Assert.InRange(r.Record.Summary.Updates, 150, 250); // about 4 updates per simulated second
        Assert.Contains("simulated", r.Record.StopReason);
        var b = Assert.IsType<SimulatorBackendRecord>(r.Record.Backend);
        Assert.Equal("exponential", b.ClockModel.Distribution);
        Assert.Equal(50.0, b.SimulatedSeconds);
    }

    [Theory]
    [InlineData("weibull", "unknown gradient-time distribution")]
    [InlineData("uniform:2", "bad parameter")]
    public void UnknownDistributionIsRejected(string spec, string message)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => ClockModel.Validate(new SimulationOptions { Distribution = spec }, 4));
        Assert.Contains(message, ex.Message);
    }

    [Theory]
    [InlineData(0.0, 0.0, 0.0, "--compute-time")]
    [InlineData(-1.0, 0.0, 0.0, "--compute-time")]
    [InlineData(1.0, -0.5, 0.0, "--comm-delay")]
    [InlineData(1.0, 0.0, -2.0, "--sync-cost")]
    public void NonPositiveTimesAreRejected(double compute, double comm, double sync, string option)
    {
        var s = new SimulationOptions { MeanComputeTime = compute, CommunicationDelay = comm, SyncBase = sync };
        var ex = Assert.ThrowsAny<ArgumentException>(() => ClockModel.Validate(s, 4));
        Assert.Contains(option, ex.Message);
    }

    [Fact]
    public void BadStragglerAndWorkerCountAreRejected()
    {
        Assert.Contains("worker index", Assert.ThrowsAny<ArgumentException>(() =>
            ClockModel.Validate(new SimulationOptions { Slowdown = new() { [4] = 2 } }, 4)).Message);
        Assert.Contains("slowdown factor", Assert.ThrowsAny<ArgumentException>(() =>
            ClockModel.Validate(new SimulationOptions { Slowdown = new() { [0] = 0 } }, 4)).Message);
        Assert.Contains("--workers", Assert.ThrowsAny<ArgumentException>(() =>
            ResolvedOptions.ValidateGeneric(Options(0, 10))).Message);
    }

    [Theory]
    [InlineData("--compute-time", "0")]
    [InlineData("--comm-delay", "-1")]
    [InlineData("--distribution", "gamma")]
    [InlineData("--sync-cost", "1:x")]
    [InlineData("--straggler", "9:2")]
    [InlineData("--workers", "0")]
    public void CliRejectsBadSimulatorInputWithExitCode2(string option, string value)
    {
        string[] workers = option == "--workers" ? [] : ["--workers", "4"];
        int code = Polyak.Cli.Program.Main(["train", "--backend", "simulated", "--data", SmallData, .. workers, "--updates", "5", option, value]);
        Assert.Equal(ExitCodes.BadInput, code);
    }
}

/// <summary>The simulator's event loop allocates nothing per update.</summary>
public sealed class SimulatedBackendAllocationTests
{
    [Fact]
    public void EventLoopAllocatesNothingPerUpdate()
    {
        var h = new double[] { 1, 0.5, 0.25 };
        var model = new Polyak.Theory.GatedQuadratic(h, float.NegativeInfinity);
        long Allocated(long updates)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Polyak.Theory.TheoryStudy.RunQuadratic(model, 16, 0.01, 0.2, updates, 3, new SimulationOptions(), null, null);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Allocated(2_000); // warm-up (JIT, statics)
        long small = Allocated(2_000), large = Allocated(22_000);
        // 20,000 more updates: allow only the staleness histogram's occasional growth, well under one byte per update.
        Assert.True(large - small < 20_000, $"{large - small} bytes for 20,000 extra updates");
    }
}
