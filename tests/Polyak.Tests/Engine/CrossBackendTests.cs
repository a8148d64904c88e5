using Polyak.Execution;
using Polyak.Training;

namespace Polyak.Tests.Engine;

/// <summary>
/// One engine: where the order of updates is fixed (one compute group), the local backends run the same group step on
/// the same update core and must agree bit for bit, with each other and with sequential SGD.
/// </summary>
public class CrossBackendTests
{
    private static readonly TrainingOptions Base = new()
    {
        Data = "synthetic:mixture,dim=20,n=3000,test=200",
        Model = "fc16-relu-dropout0.3-fc10",
        Batch = 30,
        LearningRate = 0.2,
        Momentum = -0.3,
        WeightDecay = 1e-3,
        Schedule = "inverse:100",
        Updates = 200,
        Seed = 8,
        EvalEvery = 50,
        EvalSize = 300,
    };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void OneGroupOnThreadsAndOnTheSimulatorIsTheSameRunBitForBit(int workers)
    {
        var o = Base with { Workers = workers, Groups = 1 };
        var threads = TestSupport.Train(o with { Backend = "threads" });
        var simulated = TestSupport.Train(o with { Backend = "simulated" });
        Assert.Equal(200, threads.Record.Summary.Updates);
        Assert.Equal(threads.Parameters, simulated.Parameters);
        Assert.Equal(threads.MomentumBuffer, simulated.MomentumBuffer);
        Assert.Equal(threads.Record.Curve.Select(p => (p.Update, p.Loss)), simulated.Record.Curve.Select(p => (p.Update, p.Loss)));
        Assert.Equal([200L], simulated.Record.Summary.Staleness.Histogram);
        // A run is rebuilt from its record: the same configuration gives the same parameters.
        Assert.Equal(threads.Parameters, TestSupport.Train(threads.Record.Config).Parameters);
    }

    [Fact]
    public void TheLibraryEntryAndTheOptionsEntryPlanTheSameRun()
    {
        // Trainer.Train (typed setup, a model instance) and Trainer.Run (options, the catalog) resolve to the same plan.
        var o = Base with { Workers = 2, Groups = 2, Backend = "simulated" };
        var byOptions = TestSupport.Train(o);
        var data = RunPlanner.LoadData(o);
        var model = Polyak.Models.ModelCatalog.Create(o.Model, data.Train);
        var byLibrary = new Trainer().Train(model, data, new TrainingSetup
        {
            Backend = new SimulatedBackend(),
            Workers = 2,
            Batch = 30,
            Schedule = Polyak.Optimization.LearningRateSchedule.Inverse(0.2, 100),
            Momentum = -0.3,
            WeightDecay = 1e-3,
            Updates = 200,
            Seed = 8,
            EvalEvery = 50,
        });
        Assert.Equal(byOptions.Parameters, byLibrary.Parameters);
        Assert.Equal(byOptions.Record.Summary.Staleness.Histogram, byLibrary.Record.Summary.Staleness.Histogram);
    }
}
