using System.Text.Json;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Numerics;
using Xunit;

namespace Polyak.Tests.Simulation;

/// <summary>A simulated run interrupted and resumed from its explicit state ends bit-identical to an uninterrupted run; thread count does not matter.</summary>
public sealed class SimulatorResumeTests
{
    private static readonly Lazy<DataSplit> Data = new(() => Trainer.LoadData(new TrainingOptions { Data = "synthetic:mixture,n=2000,test=200,dim=16", Seed = 3 }));

    private static TrainingOptions Options(long updates, string model = "softmax") => new()
    {
        Data = "synthetic:mixture,n=2000,test=200,dim=16", Model = model, Backend = "simulated", Workers = 8, Groups = 4, Batch = 32,
        LearningRate = 0.2, Momentum = 0.4, Updates = updates, Seed = 3, EvalEvery = int.MaxValue,
        Simulation = new SimulationOptions { Distribution = "lognormal:0.8", CommunicationDelay = 0.05, SyncBase = 0.1, SyncPerWorker = 0.02 },
    };

    private sealed record Outcome(float[] W, float[] V, long Version, long[] Histogram, double Now, SimulationState State);

    private static Outcome Run(TrainingOptions o, Outcome? resume, int? threads = null)
    {
        var data = Data.Value;
        IModel model = ModelCatalog.Create(o.Model, data.Train);
        var resolved = ResolvedOptions.Resolve(o, 0.1);
        var w = new float[model.ParameterCount];
        model.Initialize(w, RandomStream.DeriveSeed(o.Seed, 0x1417));
        var server = new ParameterServer(w, resolved.Momentum, 0, resolved.Schedule, UpdateDiscipline.Atomic);
        var monitor = new RunMonitor(o.Updates!.Value, null, null, 100, int.MaxValue, null, default);
        var backend = new SimulatedBackend(threads);
        if (resume is not null)
        {
            server.Restore(resume.W, resume.V, resume.Version, StalenessHistogram.FromCounts(resume.Histogram));
            monitor.SetAppliedUpdates(resume.Version);
            // Through JSON, as a checkpoint file would carry it.
            backend.ResumeFrom = JsonSerializer.Deserialize<SimulationState>(JsonSerializer.Serialize(resume.State, Json.Indented), Json.Indented);
        }
        var ctx = new TrainingContext(resolved, model, data, server, monitor);
        monitor.Start();
        backend.Run(ctx);
        var fw = new float[w.Length];
        var fv = new float[w.Length];
        long version = server.Snapshot(fw, fv);
        return new Outcome(fw, fv, version, server.Staleness.ToArray(), backend.Current!.Now, backend.Current.GetState());
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
