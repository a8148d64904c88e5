using System.Text.Json;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Numerics;
using Xunit;
using Polyak.Optimization;

namespace Polyak.Tests.Simulation;

/// <summary>A simulated run interrupted and resumed from its explicit state ends bit-identical to an uninterrupted run; thread count does not matter.</summary>
public sealed class SimulatorResumeTests
{
    private static readonly Lazy<DataSplit> Data = new(() => RunPlanner.LoadData(new TrainingOptions { Data = "synthetic:mixture,n=2000,test=200,dim=16", Seed = 3 }));

    private static TrainingOptions Options(long updates, string model = "softmax") => new()
    {
        Data = "synthetic:mixture,n=2000,test=200,dim=16", Model = model, Backend = "simulated", Workers = 8, Groups = 4, Batch = 32,
        LearningRate = 0.2, Momentum = 0.4, Updates = updates, Seed = 3, EvalEvery = int.MaxValue,
        Simulation = new SimulationOptions { Distribution = "lognormal:0.8", CommunicationDelay = 0.05, SyncBase = 0.1, SyncPerWorker = 0.02 },
    };

    private sealed record Outcome(float[] W, float[] V, long Version, long[] Histogram, double Now, SimulationState State);

    private static Outcome Run(TrainingOptions o, Outcome? resume, int? threads = null)
    {
        var backend = new SimulatedBackend(threads);
        var plan = RunPlanner.Plan(o, Data.Value, backend: backend);
        var w = new float[plan.Model.ParameterCount];
        plan.Model.Initialize(w, plan.InitializationSeed);
        var server = new ParameterServer(w, plan.Momentum, 0, plan.Schedule, UpdateDiscipline.Atomic);
        var monitor = new RunMonitor(o.Updates!.Value, null, null, 100, int.MaxValue, null, default);
        var ctx = new TrainingContext(plan, server, monitor);
        if (resume is not null)
        {
            server.SetState(new ServerState(resume.Version, plan.Momentum, resume.W, resume.V, resume.Histogram));
            monitor.SetAppliedUpdates(resume.Version);
            // Through JSON, as a checkpoint file would carry it.
            SimulatedBackend.ResumeFrom(ctx, JsonSerializer.Deserialize<SimulationState>(JsonSerializer.Serialize(resume.State, Json.Indented), Json.Indented)!);
        }
        monitor.Start();
        backend.Run(ctx);
        var final = server.GetState();
        var run = SimulatedBackend.RunOf(ctx)!;
        return new Outcome(final.W, final.V, final.Version, final.Staleness, run.Now, run.GetState());
    }

    [Theory]
    [InlineData("softmax")]
    [InlineData("fc24-relu-dropout0.5-fc16-relu-dropout0.2-fc10")] // random masks: drawn per batch, nothing left to carry
    public void InterruptedAndResumedRunIsBitIdentical(string model)
    {
        var whole = Run(Options(500, model), null);
        var first = Run(Options(230, model), null);
        Assert.Equal(230, first.Version);
        var resumed = Run(Options(500, model), first);
        Assert.Equal(500, resumed.Version);
        Assert.Equal(whole.W, resumed.W);
        Assert.Equal(whole.V, resumed.V);
        Assert.Equal(whole.Histogram, resumed.Histogram);
        Assert.Equal(whole.Now, resumed.Now);
    }

    [Fact]
    public void ParallelAndSerialGradientEvaluationAgree()
    {
        var o = Options(400) with { Workers = 16, Groups = 16 };
        var parallel = Run(o, null, threads: 4);
        var serial = Run(o, null, threads: 1);
        Assert.Equal(parallel.W, serial.W);
        Assert.Equal(parallel.V, serial.V);
        Assert.Equal(parallel.Histogram, serial.Histogram);
    }

    [Fact]
    public void StateFromAnotherConfigurationIsRejected()
    {
        var first = Run(Options(50), null);
        var bad = first with { State = first.State with { Groups = first.State.Groups[..2] } };
        var ex = Assert.ThrowsAny<ArgumentException>(() => Run(Options(100), bad));
        Assert.Contains("groups", ex.Message);
    }
}
