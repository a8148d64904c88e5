using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Polyak.Onnx;
using Polyak.Training;
using Xunit.Abstractions;

namespace Polyak.Tests.Onnx;

/// <summary>
/// <c>polyak export</c> and <c>polyak evaluate</c> on real run folders: the exported graph predicts what the run's model
/// predicts on 1,000 test images, evaluate's accuracy is the run's recorded <c>final_accuracy</c>, and bad input is
/// refused with exit code 2 without touching files Polyak did not write.
/// </summary>
public sealed class ExportCliTests(ITestOutputHelper output)
{
    private static readonly bool HasFashion = File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");

    [Fact]
    public void ATrainedLeNetExportsEvaluatesAndRunsInOnnxRuntimeWithTheRunsAccuracy()
    {
        // Fashion-MNIST when it is installed (CI installs it), else seeded synthetic images of the same shape.
        string data = HasFashion ? "fashion-mnist" : "synthetic:images,classes=10,channels=1,size=28,n=3000,test=1000";
        string dir = TestSupport.TempDir("export-lenet"), run = Path.Combine(dir, "run"), file = Path.Combine(dir, "lenet.onnx");
        var train = TestSupport.RunCli(TimeSpan.FromMinutes(3), "train", "--model", "lenet", "--data", data, "--workers", "2",
            "--updates", "120", "--lr", "0.05", "--momentum", "0.5", "--out", run, "--json");
        Assert.True(train.ExitCode == 0, train.Stderr);
        double finalAccuracy = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))).RootElement
            .GetProperty("summary").GetProperty("final_accuracy").GetDouble();

        var export = TestSupport.RunCli("export", run, "--onnx", file, "--json");
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.Contains("input   input [N,1,28,28]", export.Stdout);
        var evaluate = TestSupport.RunCli("evaluate", run, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        var e = JsonDocument.Parse(evaluate.LastLine).RootElement;
        Assert.Equal(finalAccuracy, e.GetProperty("accuracy").GetDouble());
        Assert.Equal(finalAccuracy, e.GetProperty("recorded_final_accuracy").GetDouble());
        var confusion = e.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        Assert.Equal(e.GetProperty("correct").GetInt64(), Enumerable.Range(0, confusion.Length).Sum(i => confusion[i][i]));
        Assert.Equal(e.GetProperty("rows").GetInt32(), (int)confusion.Sum(r => r.Sum()));
        foreach (string f in new[] { "evaluation.json", "confusion.csv", "confusion.png", "confusion.svg" })
            Assert.True(File.Exists(Path.Combine(run, "evaluation", f)), $"evaluate did not write {f}");

        // ONNX Runtime on the first 1,000 test images: the same predictions as the run's model, and the same accuracy.
        var trained = TrainedRun.Load(run);
        var test = trained.Data.Test;
        int n = Math.Min(1000, test.Count);
        var rows = Enumerable.Range(0, n).ToArray();
        var expected = new float[n * 10];
        trained.Model.Predict(trained.Parameters, test, rows, expected, trained.Model.CreateWorkspace(256, 0));
        using var session = new InferenceSession(file);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(test.Features.AsMemory(0, n * 784), [n, 1, 28, 28]))], ["logits"]);
        var actual = results.Single().AsTensor<float>().ToArray();
        int agree = 0, correctOnnx = 0, correctPolyak = 0;
        double worst = 0;
        for (int r = 0; r < n; r++)
        {
            var a = actual.AsSpan(r * 10, 10);
            var x = expected.AsSpan(r * 10, 10);
            int pa = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(a), px = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(x);
            if (pa == px) agree++;
            if (pa == test.Labels![r]) correctOnnx++;
            if (px == test.Labels![r]) correctPolyak++;
            double scale = Math.Max(1, System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(x));
            for (int j = 0; j < 10; j++) worst = Math.Max(worst, Math.Abs(a[j] - x[j]) / scale);
        }
        output.WriteLine($"{data}: run final accuracy {finalAccuracy:P2}; on {n} test images ONNX Runtime {correctOnnx} correct, Polyak {correctPolyak}; largest relative difference {worst:E2}");
        Assert.Equal(n, agree);
        Assert.Equal(correctPolyak, correctOnnx);
        Assert.True(worst <= 1e-5, $"largest relative difference {worst:E2}");
        Assert.True(finalAccuracy > 0.5, $"120 updates of lenet reached only {finalAccuracy:P2}: the run did not train");

        // Exporting again replaces Polyak's own file.
        Assert.Equal(0, TestSupport.RunCli("export", run, "--onnx", file).ExitCode);
    }

    [Fact]
    public void BadInputIsRefusedAndNothingPolyakDidNotWriteIsTouched()
    {
        string dir = TestSupport.TempDir("export-bad"), run = Path.Combine(dir, "run");
        Assert.Equal(0, TestSupport.RunCli("train", "--updates", "20", "--out", run).ExitCode);

        string foreign = Path.Combine(dir, "notes.onnx");
        File.WriteAllText(foreign, "my own notes");
        var r = TestSupport.RunCli("export", run, "--onnx", foreign);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is not an ONNX model Polyak wrote", r.Stderr);
        Assert.Equal("my own notes", File.ReadAllText(foreign));

        r = TestSupport.RunCli("export", Path.Combine(dir, "nowhere"), "--onnx", Path.Combine(dir, "m.onnx"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("does not exist", r.Stderr);
        Assert.False(File.Exists(Path.Combine(dir, "m.onnx")));

        r = TestSupport.RunCli("evaluate", dir); // a folder that is not a run folder
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("holds no checkpoint.bin", r.Stderr);

        string mine = Path.Combine(dir, "mine");
        Directory.CreateDirectory(mine);
        File.WriteAllText(Path.Combine(mine, "keep.txt"), "x");
        r = TestSupport.RunCli("evaluate", run, "--out", mine);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("holds files Polyak did not write", r.Stderr);
        Assert.Equal("keep.txt", Path.GetFileName(Assert.Single(Directory.GetFiles(mine))));

        r = TestSupport.RunCli("evaluate", run, "--split", "validation");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--split", r.Stderr);
    }

    [Fact]
    public void EvaluateOnOtherDataUsesThatDatasTestSplit()
    {
        string dir = TestSupport.TempDir("evaluate-other"), run = Path.Combine(dir, "run");
        Assert.Equal(0, TestSupport.RunCli("train", "--updates", "60", "--data", "synthetic:mixture,n=4000,test=1000", "--out", run).ExitCode);
        var own = JsonDocument.Parse(TestSupport.RunCli("evaluate", run, "--json").LastLine).RootElement;
        var other = TestSupport.RunCli("evaluate", run, "--data", "synthetic:mixture,n=4000,test=500,sep=4", "--out", Path.Combine(dir, "other"), "--json");
        Assert.True(other.ExitCode == 0, other.Stderr);
        var o = JsonDocument.Parse(other.LastLine).RootElement;
        Assert.Equal(1000, own.GetProperty("rows").GetInt32());
        Assert.Equal(500, o.GetProperty("rows").GetInt32());
        Assert.Equal(JsonValueKind.Null, o.GetProperty("recorded_final_accuracy").ValueKind);
        var train = JsonDocument.Parse(TestSupport.RunCli("evaluate", run, "--split", "train", "--out", Path.Combine(dir, "train"), "--json").LastLine).RootElement;
        Assert.Equal(4000, train.GetProperty("rows").GetInt32());
    }
}
