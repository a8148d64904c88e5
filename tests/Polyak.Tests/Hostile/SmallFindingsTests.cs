using System.Text;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Tests.Data;
using Polyak.Training;

namespace Polyak.Tests.Hostile;

/// <summary>The smaller findings of the nothing-lost issue, each reproduced: BOMs, flipped label bytes, CIFAR-shaped defaults.</summary>
public sealed class SmallFindingsTests
{
    [Fact]
    public void AUtf8ByteOrderMarkDoesNotStickToTheFirstHeaderName()
    {
        using var t = new TempFolder();
        // The label column first: before, its name was read as "\uFEFFlabel" and the column was not found.
        var text = new StringBuilder("label,a,b\n"); // the encoder writes the byte-order mark
        for (int i = 0; i < 40; i++) text.Append($"{i % 2},{i * 0.1:F1},{1 - i * 0.01:F2}\n");
        string path = t.File("bom.csv");
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'l' }, File.ReadAllBytes(path)[..4]);
        var (train, test, _) = DataCatalog.Load(path + ",label=label", null, 0.25, 1);
        Assert.Equal(2, train.FeatureCount);
        Assert.Equal(40, train.Count + test.Count);
    }

    [Fact]
    public void Utf16TextIsRefusedNamingTheEncoding()
    {
        using var t = new TempFolder();
        string path = t.File("wide.csv");
        File.WriteAllText(path, "a,b,label\n1,2,0\n3,4,1\n", Encoding.Unicode);
        var ex = Assert.Throws<InvalidDataException>(() => DataCatalog.Load(path, null, 0.25, 1));
        Assert.Contains("line 1: the file is UTF-16 text; save it as UTF-8", ex.Message);
    }

    [Fact]
    public void OneFlippedLabelByteInAnIdxFolderIsWarnedAbout()
    {
        using var t = new TempFolder();
        DataFixtures.WriteIdxFolder(t, 2000, 100, gzip: false);
        string labels = t.File("train-labels-idx1-ubyte");
        var bytes = File.ReadAllBytes(labels);
        bytes[8 + 777] = 255; // one label of 2,000 becomes 255: 10 classes become 256
        File.WriteAllBytes(labels, bytes);
        var log = new List<string>();
        var plan = RunPlanner.Plan(new TrainingOptions { Data = t.Path, Model = "softmax", Updates = 1, EvalSize = 100 }, log: log.Add);
        Assert.Equal(256, plan.Data.Train.ClassCount);
        Assert.Contains("warning: data: 245 of 256 classes have no training rows (10..254): a damaged label file, or classes this data does not use?", log);
        Assert.Contains(log, l => l.StartsWith("warning: data: class 255 has at most 1 training row(s) against a median of 200 per class", StringComparison.Ordinal));
        // An intact folder warns about nothing.
        using var clean = new TempFolder();
        DataFixtures.WriteIdxFolder(clean, 2000, 100, gzip: false);
        var quiet = new List<string>();
        RunPlanner.Plan(new TrainingOptions { Data = clean.Path, Model = "softmax", Updates = 1, EvalSize = 100 }, log: quiet.Add);
        Assert.DoesNotContain(quiet, l => l.StartsWith("warning:", StringComparison.Ordinal));
    }

    /// <summary>CIFAR-shaped binary batches with CIFAR-like pixel statistics (a bright mean, about 0.45, and noise).</summary>
    private static void WriteCifarLike(TempFolder t, string name, int records, int seed)
    {
        var random = new Random(seed);
        var b = new byte[records * 3073];
        for (int r = 0; r < records; r++)
        {
            int y = random.Next(10);
            b[r * 3073] = (byte)y;
            for (int p = 0; p < 3072; p++)
            {
                double v = 0.35 + 0.03 * y + 0.1 * ((p * 7 + y * 31) % 17 / 17.0 - 0.5) + 0.2 * (random.NextDouble() - 0.5) * 3.4;
                b[r * 3073 + 1 + p] = (byte)Math.Clamp((int)(v * 255), 0, 255);
            }
        }
        t.Write(name, b);
    }

    [Fact]
    public void TheDefaultSoftmaxRateOnCifarShapedDataTrainsInsteadOfDivergingAtOnce()
    {
        using var t = new TempFolder();
        WriteCifarLike(t, "data_batch_1.bin", 2000, 1);
        WriteCifarLike(t, "test_batch.bin", 200, 2);
        var options = new TrainingOptions { Data = t.Path, Model = "softmax", Updates = 600, Workers = 1, EvalSize = 200, Seed = 2 };
        var log = new List<string>();
        var plan = RunPlanner.Plan(options, log: log.Add);
        Assert.InRange(plan.LearningRate, 0.01, 0.06);
        Assert.Contains(log, l => l.Contains("scaled down for inputs larger than Fashion-MNIST's", StringComparison.Ordinal));
        // Before: lr 0.5, diverged at update 4-6.
        var run = TestSupport.Train(options);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.True(run.Record.Summary.FinalLoss < 1.0, $"final loss {run.Record.Summary.FinalLoss}");
        var diverging = TestSupport.Train(options with { LearningRate = 0.5 });
        Assert.Equal(RunStatus.Diverged, diverging.Status);
    }

    [Fact]
    public void TheInputScaleOfDataLikeFashionMnistKeepsTheConstantRates()
    {
        // Unit-range images with a dim mean (like Fashion-MNIST): the constants stay.
        var data = TestImages.Split();
        Assert.True(InputScale.TopSecondMoment(data.Train) < ModelDefaults.ReferenceInputScale);
        var softmax = ModelCatalog.Create("softmax", data.Train);
        Assert.Equal(0.5, ModelDefaults.LearningRate(softmax, data.Train));
        // Networks keep theirs whatever the data.
        var mlp = ModelCatalog.Create("mlp", data.Train);
        Assert.Equal(ModelDefaults.LearningRate(mlp), ModelDefaults.LearningRate(mlp, data.Train));
    }
}
