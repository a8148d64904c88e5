using Polyak.Data;
using Polyak.Execution;
using Xunit;
using Xunit.Abstractions;
using Polyak.Training;

namespace Polyak.Tests.Models;

/// <summary>Accuracy of the zoo networks on real Fashion-MNIST within a short training budget (skipped when the package is absent).</summary>
public sealed class FashionMnistAccuracyTests(ITestOutputHelper output)
{
    private const string Folder = "/usr/share/datasets/fashion-mnist";

    private static readonly Lazy<DataSplit> Data = new(() =>
    {
        var (train, test, desc) = DataCatalog.Load("fashion-mnist", null, 0.1, 1);
        return new DataSplit(train, test, DataSplit.ChooseEvalRows(train.Count, 500, 1), desc);
    });

    /// <summary>Trains on one worker, batch 64, momentum 0.9, learning rate decayed to 0 by a half cosine over the budget.</summary>
    private TrainingResult Train(string model, double lr, long updates)
    {
        var options = new TrainingOptions
        {
            Model = model, Data = "fashion-mnist", Workers = 1, Batch = 64, LearningRate = lr, Momentum = 0.9,
            Schedule = $"cosine:{updates}", Updates = updates, EvalSize = 500, EvalEvery = 100_000, Seed = 7,
        };
        var result = new Trainer().Run(options, data: Data.Value);
        var s = result.Record.Summary;
        output.WriteLine($"{model}: {updates} updates ({s.Epochs:F2} epochs), test accuracy {s.FinalAccuracy:P2}, {s.SamplesPerSecond:F0} samples/s, {s.WallSeconds:F1} s");
        return result;
    }

    [SkippableFashionMnistFact]
    public void LeNetReaches85PercentInUnderOneEpoch()
    {
        var result = Train("lenet", 0.03, 800);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.True(result.Record.Summary.FinalAccuracy >= 0.85, $"lenet test accuracy {result.Record.Summary.FinalAccuracy:P2} < 85%");
    }

    [SkippableFashionMnistFact]
    public void MlpReaches84PercentInTwoEpochs()
    {
        var result = Train("mlp", 0.05, 1900);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.True(result.Record.Summary.FinalAccuracy >= 0.84, $"mlp test accuracy {result.Record.Summary.FinalAccuracy:P2} < 84%");
    }

    /// <summary>A fact skipped with a reason when the Debian package is not installed.</summary>
    private sealed class SkippableFashionMnistFactAttribute : FactAttribute
    {
        public SkippableFashionMnistFactAttribute()
        {
            if (!File.Exists(Path.Combine(Folder, "train-images-idx3-ubyte.gz")))
                Skip = $"Fashion-MNIST is not installed in {Folder}: run `apt-get install dataset-fashion-mnist` (CI's .ci/run does)";
        }
    }
}
