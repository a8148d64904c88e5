using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Polyak.Data;
using Polyak.Models;
using Polyak.Models.Layers;
using Polyak.Numerics;
using Polyak.Onnx;
using Polyak.Training;
using Xunit.Abstractions;

namespace Polyak.Tests.Onnx;

/// <summary>
/// Every model Polyak trains, exported to ONNX and run by ONNX Runtime: on 1,000 rows its outputs equal Polyak's own
/// forward pass within 1e-5 (relative to the row's largest output, at least 1) and it predicts the same class on every row.
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string, string> Models => new()
    {
        { "linear", "synthetic:regression,n=200,test=1000,dim=20" },
        { "logistic", "synthetic:binary,n=200,test=1000,dim=30" },
        { "softmax", "synthetic:mixture,n=200,test=1000,dim=40" },
        { "mlp", "synthetic:mixture,n=200,test=1000,dim=40" },
        { "mlp:64,32", "synthetic:mixture,n=200,test=1000,dim=40" },
        { "lenet", "synthetic:images,classes=10,channels=1,size=28,n=200,test=1000" },
        { "cifar", "synthetic:images,classes=10,channels=3,size=32,n=200,test=1000" },
        // a spec with stride, padding, an overlapping pool over an odd size and dropout (the identity at inference)
        { "conv8k3s2p1-relu-pool3s2-conv6k2-relu-dropout0.3-fc12-relu-fc5", "synthetic:images,classes=5,channels=2,size=23,n=200,test=1000" },
        // a network on flat input
        { "fc16-relu-dropout0.5-fc10", "synthetic:mixture,n=200,test=1000,dim=40" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void OnnxRuntimeComputesWhatPolyakComputes(string modelName, string dataSpec)
    {
        var (train, test, _) = SyntheticData.Generate(dataSpec, 3);
        var model = ModelCatalog.Create(modelName, train);
        var w = RandomParameters(model);
        var onnx = OnnxExport.Export(model, w);
        int rows = test.Count, k = model.OutputCount;
        Assert.Equal(1000, rows);

        var expected = new float[rows * k];
        model.Predict(w, test, Enumerable.Range(0, rows).ToArray(), expected, model.CreateWorkspace(128, 0));
        var actual = RunOnnx(onnx, test, out string outputName);
        Assert.Equal(expected.Length, actual.Length);

        double worst = 0;
        int disagreements = 0;
        for (int r = 0; r < rows; r++)
        {
            var e = expected.AsSpan(r * k, k);
            var a = actual.AsSpan(r * k, k);
            double scale = Math.Max(1, System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(e));
            for (int j = 0; j < k; j++) worst = Math.Max(worst, Math.Abs(e[j] - a[j]) / scale);
            int pe = k == 1 ? (e[0] > 0 ? 1 : 0) : System.Numerics.Tensors.TensorPrimitives.IndexOfMax(e);
            int pa = k == 1 ? (a[0] > 0 ? 1 : 0) : System.Numerics.Tensors.TensorPrimitives.IndexOfMax(a);
            if (pe != pa) disagreements++;
        }
        output.WriteLine($"{modelName}: {model.ParameterCount:N0} parameters, {onnx.Bytes.Length:N0} bytes, output '{outputName}' {onnx.Outputs[0].ShapeText}; largest relative difference {worst:E2}, {disagreements} of {rows} predictions differ");
        Assert.True(worst <= Tolerance, $"{modelName}: ONNX Runtime differs from Polyak by {worst:E2} (relative), more than {Tolerance:E0}");
        Assert.Equal(0, disagreements);
    }

    [Fact]
    public void TheComparisonDetectsAWrongLayout()
    {
        // Transposing one dense layer's weights in the export must be caught by the same check (the test can fail).
        var (train, test, _) = SyntheticData.Generate("synthetic:mixture,n=200,test=1000,dim=40", 3);
        var model = (Network)ModelCatalog.Create("mlp:16", train);
        var w = RandomParameters(model);
        var swapped = (float[])w.Clone();
        int o = 16, n = 40;
        for (int i = 0; i < o; i++)
            for (int j = 0; j < n; j++)
                swapped[(i * n + j) % (o * n)] = w[(j * o + i) % (o * n)];
        var expected = new float[1000 * 10];
        model.Predict(w, test, Enumerable.Range(0, 1000).ToArray(), expected, model.CreateWorkspace(128, 0));
        var actual = RunOnnx(OnnxExport.Export(model, swapped), test, out _);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst > 1e-2, $"a transposed layer changed the outputs by only {worst:E2}");
    }

    [Fact]
    public void TheGraphDeclaresItsInputAndOutputs()
    {
        var (train, _, _) = SyntheticData.Generate("synthetic:images,classes=10,channels=1,size=28,n=100,test=10", 1);
        var model = ModelCatalog.Create("lenet", train);
        var onnx = OnnxExport.Export(model, RandomParameters(model), new Dictionary<string, string> { ["polyak.update"] = "123" });
        using var session = new InferenceSession(onnx.Bytes);
        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("input", input.Key);
        Assert.Equal([-1, 1, 28, 28], input.Value.Dimensions);
        Assert.Equal(["logits", "probabilities"], session.OutputMetadata.Keys.ToArray());
        Assert.Equal([-1, 10], session.OutputMetadata["logits"].Dimensions);
        Assert.Equal("Polyak", session.ModelMetadata.ProducerName);
        Assert.Equal("123", session.ModelMetadata.CustomMetadataMap["polyak.update"]);
        Assert.Equal("conv32k5-relu-pool2-conv64k5-relu-pool2-flatten-fc10", session.ModelMetadata.CustomMetadataMap["polyak.spec"]);
        Assert.Equal("[N,1,28,28]", onnx.Input.ShapeText);
    }

    [Fact]
    public void ProbabilitiesAreTheSoftmaxOfTheLogits()
    {
        var (train, test, _) = SyntheticData.Generate("synthetic:mixture,n=200,test=50,dim=8", 2);
        var model = ModelCatalog.Create("softmax", train);
        var onnx = OnnxExport.Export(model, RandomParameters(model));
        using var session = new InferenceSession(onnx.Bytes);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(test.Features.ToArray(), [test.Count, 8]))]);
        var logits = results.First(r => r.Name == "logits").AsTensor<float>().ToArray();
        var p = results.First(r => r.Name == "probabilities").AsTensor<float>().ToArray();
        for (int r = 0; r < test.Count; r++)
        {
            var z = logits.AsSpan(r * 10, 10);
            var soft = new float[10];
            System.Numerics.Tensors.TensorPrimitives.SoftMax(z, soft);
            for (int j = 0; j < 10; j++) Assert.Equal(soft[j], p[r * 10 + j], 5e-6f);
        }
    }

    [Fact]
    public void AModelItDoesNotKnowIsRefusedByName()
    {
        var model = new Polyak.Examples.HuberRegression(4);
        var ex = Assert.Throws<NotSupportedException>(() => OnnxExport.Export(model, new float[model.ParameterCount]));
        Assert.Contains("huber", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void OnlyItsOwnFilesAreRecognisedAsPolyakModels()
    {
        string dir = TestSupport.TempDir("onnx-own");
        var (train, _, _) = SyntheticData.Generate("synthetic:mixture,n=50,test=10,dim=4", 1);
        var model = ModelCatalog.Create("softmax", train);
        string mine = Path.Combine(dir, "m.onnx"), other = Path.Combine(dir, "o.onnx"), tiny = Path.Combine(dir, "t.onnx");
        File.WriteAllBytes(mine, OnnxExport.Export(model, new float[model.ParameterCount]).Bytes);
        File.WriteAllText(other, "not a model of ours, written by someone else");
        File.WriteAllBytes(tiny, [0x08]);
        Assert.True(OnnxExport.IsPolyakModel(mine));
        Assert.False(OnnxExport.IsPolyakModel(other));
        Assert.False(OnnxExport.IsPolyakModel(tiny));
    }

    /// <summary>
    /// The model's initial parameters with every zero (biases; all of a linear model) replaced by a random value in
    /// [-0.1, 0.1): a zero bias would hide a bias-layout error, and the weights keep the scale training starts from.
    /// </summary>
    internal static float[] RandomParameters(IModel model)
    {
        var w = new float[model.ParameterCount];
        model.Initialize(w, 11);
        var random = new RandomStream(5);
        for (int i = 0; i < w.Length; i++)
            if (w[i] == 0) w[i] = (float)(0.2 * (random.NextDouble() - 0.5));
        return w;
    }

    /// <summary>Runs the exported graph on every row of <paramref name="data"/>; returns its first output.</summary>
    internal static float[] RunOnnx(OnnxModel onnx, Dataset data, out string outputName)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(onnx.Bytes, options);
        int[] dims = [data.Count, .. onnx.Input.Shape.Skip(1).Select(d => (int)d!.Value)];
        var input = new DenseTensor<float>(data.Features.AsMemory(0, data.Count * data.FeatureCount), dims);
        outputName = onnx.Outputs[0].Name;
        string name = outputName;
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, input)], [name]);
        return results.Single().AsTensor<float>().ToArray();
    }
}
