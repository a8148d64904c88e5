using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Models.Layers;
using Polyak.Numerics;
using Xunit;
using Polyak.Training;

namespace Polyak.Tests.Models;

/// <summary>Whole networks: spec grammar, zoo shapes, finite-difference gradient of the mean loss, batching, training.</summary>
public sealed class NetworkTests
{
    /// <summary>Noisy images: neighbouring pixels differ, so max-pool and ReLU switches within +-eps are rare.</summary>
    private static Dataset Images(int channels, int size, int classes, int n, ulong seed = 1)
        => TestImages.Split(channels, size, classes, n, 10, seed, noise: 2.0).Train;

    /// <summary>Central-difference check of the mean cross-entropy gradient on sampled coordinates.</summary>
    private static void CheckNetwork(Network net, Dataset data, int batch, int samples, double eps = 1e-3, double tol = 2e-2)
    {
        var w = new float[net.ParameterCount];
        net.Initialize(w, 5);
        var rng = new RandomStream(8);
        for (int i = 0; i < w.Length; i++) w[i] += (float)(0.02 * (rng.NextDouble() - 0.5));
        var rows = Enumerable.Range(0, batch).ToArray();
        var ws = net.CreateWorkspace(batch, 3);
        var g = new float[w.Length];
        // dropout masks repeat because every evaluation uses a fresh workspace with the same seed
        float Loss() => net.LossAndGradient(w, data, rows, new float[w.Length], net.CreateWorkspace(batch, 3));
        net.LossAndGradient(w, data, rows, g, ws);
        int failures = 0;
        var report = new List<string>();
        var coords = Enumerable.Range(0, samples).Select(_ => rng.NextInt(w.Length))
            .Concat(Enumerable.Range(0, net.Layers.Count).Where(i => net.Layers[i].ParameterCount > 0)
                .Select(i => net.ParameterOffset(i + 1) - 1)) // the last bias of every layer
            .Distinct().ToArray();
        foreach (int i in coords)
        {
            float saved = w[i];
            w[i] = saved + (float)eps;
            double fp = Loss();
            w[i] = saved - (float)eps;
            double fm = Loss();
            w[i] = saved;
            double numeric = (fp - fm) / (2 * eps);
            if (Math.Abs(numeric - g[i]) > 2e-3 + tol * Math.Abs(numeric))
            {
                failures++;
                report.Add($"w[{i}]: analytic {g[i]}, numeric {numeric}");
            }
        }
        // a ReLU or max-pool switch inside the +-eps interval can spoil a rare coordinate; a wrong backward spoils many
        Assert.True(failures <= coords.Length / 50, $"{net.Spec}: {failures}/{coords.Length} coordinates off: {string.Join("; ", report.Take(5))}");
    }

    [Fact]
    public void SmallCnnGradient()
    {
        var data = Images(2, 10, 4, 20);
        var net = new Network("t", "conv4k3p1-relu-pool2-conv6k3s2-relu-fc4", data.InputShape, 4);
        CheckNetwork(net, data, batch: 5, samples: 300);
    }

    [Fact]
    public void MlpWithDropoutGradient()
    {
        var data = Images(1, 6, 3, 20);
        var net = new Network("t", "fc12-relu-dropout0.3-fc8-relu-fc3", data.InputShape, 3);
        CheckNetwork(net, data, batch: 4, samples: 300);
    }

    [Fact]
    public void LeNetShapedGradient()
    {
        var data = Images(1, 28, 10, 8);
        var net = new Network("lenet", ModelCatalog.LeNetSpec(10), data.InputShape, 10);
        CheckNetwork(net, data, batch: 3, samples: 150);
    }

    [Fact]
    public void LeNetHasExactly1024DenseInputs()
    {
        var data = Images(1, 28, 10, 4);
        var net = (Network)ModelCatalog.Create("lenet", data);
        var fc = net.Layers.OfType<DenseLayer>().Single();
        Assert.Equal(1024, fc.Input.Size);
        Assert.Equal(32 * 25 + 32 + 64 * 800 + 64 + 10 * 1024 + 10, net.ParameterCount);
        Assert.Equal("conv32k5-relu-pool2-conv64k5-relu-pool2-flatten-fc10", net.Spec);
    }

    [Fact]
    public void ZooAndSpecs()
    {
        var mnistLike = Images(1, 28, 10, 4);
        Assert.Equal(784 * 256 + 256 + 256 * 10 + 10, ModelCatalog.Create("mlp", mnistLike).ParameterCount);
        Assert.Equal("fc512-relu-fc256-relu-fc10", ((Network)ModelCatalog.Create("mlp:512,256", mnistLike)).Spec);
        var cifarLike = Images(3, 32, 10, 4);
        var cifar = (Network)ModelCatalog.Create("cifar", cifarLike);
        Assert.Equal(128 * 4 * 4, cifar.Layers.OfType<DenseLayer>().First().Input.Size);
        var spec = (Network)ModelCatalog.Create("conv8k3s2same-relu-maxpool2-dropout-fc10", mnistLike);
        Assert.Equal("conv8k3s2p1-relu-pool2-dropout0.5-flatten-fc10", spec.Spec);
        // an MLP also takes plain vectors
        var (vectors, _, _) = SyntheticData.Generate("synthetic:mixture,n=10,test=2,dim=20", 1);
        Assert.Equal(20 * 256 + 256 + 2570, ModelCatalog.Create("mlp", vectors).ParameterCount);
    }

    [Theory]
    [InlineData("conv32k5-relu-fc7", "7 units but the data has 10 classes")]
    [InlineData("conv32k5-relu", "last layer must be fc10")]
    [InlineData("conv32k5-bogus-fc10", "layer 2 'bogus'")]
    [InlineData("conv8k29-fc10", "does not fit")]
    [InlineData("mlp:12,x", "hidden sizes")]
    public void BadSpecsNameTheProblem(string spec, string expected)
    {
        var data = Images(1, 28, 10, 4);
        var ex = Assert.Throws<ArgumentException>(() => ModelCatalog.Create(spec, data));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void ConvNetworksRejectVectorData()
    {
        var (vectors, _, _) = SyntheticData.Generate("synthetic:mixture,n=10,test=2", 1);
        Assert.Contains("image data", Assert.Throws<ArgumentException>(() => ModelCatalog.Create("lenet", vectors)).Message);
        Assert.Contains("image input", Assert.Throws<ArgumentException>(() => ModelCatalog.Create("conv4k3-fc10", vectors)).Message);
    }

    [Fact]
    public void BatchGradientIsTheMeanOfSampleGradients()
    {
        var data = Images(2, 9, 3, 6);
        var net = new Network("t", "conv3k3-relu-pool2-fc5-relu-fc3", data.InputShape, 3);
        var w = new float[net.ParameterCount];
        net.Initialize(w, 2);
        var ws = net.CreateWorkspace(6, 1);
        var batch = new float[w.Length];
        float loss = net.LossAndGradient(w, data, [0, 1, 2, 3, 4, 5], batch, ws);
        var mean = new double[w.Length];
        double meanLoss = 0;
        var g = new float[w.Length];
        for (int s = 0; s < 6; s++)
        {
            meanLoss += net.LossAndGradient(w, data, [s], g, ws) / 6.0;
            for (int i = 0; i < g.Length; i++) mean[i] += g[i] / 6.0;
        }
        Assert.Equal(meanLoss, loss, 5);
        for (int i = 0; i < g.Length; i++) Assert.True(Math.Abs(mean[i] - batch[i]) < 1e-5, $"w[{i}]: {batch[i]} vs {mean[i]}");
        // Evaluate (inference) agrees with the training loss when there is no dropout
        var eval = net.Evaluate(w, data, [0, 1, 2, 3, 4, 5], net.CreateWorkspace(4, 0));
        Assert.Equal(loss, eval.Loss, 5);
    }

    [Fact]
    public void GradientStepsAllocateNothing()
    {
        var data = Images(1, 28, 10, 64);
        foreach (string spec in new[] { "lenet", "mlp", "conv8k3p1-relu-pool3s2-dropout0.2-fc10" })
        {
            var net = (Network)ModelCatalog.Create(spec, data);
            var w = new float[net.ParameterCount];
            net.Initialize(w, 1);
            var g = new float[w.Length];
            var ws = net.CreateWorkspace(64, 1);
            var rows = Enumerable.Range(0, 64).ToArray();
            net.LossAndGradient(w, data, rows, g, ws);
            net.Evaluate(w, data, rows, ws);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 3; i++)
            {
                net.LossAndGradient(w, data, rows, g, ws);
                net.Evaluate(w, data, rows, ws);
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void InitializationIsSeededAndScaled()
    {
        var data = Images(1, 28, 10, 4);
        var net = (Network)ModelCatalog.Create("lenet", data);
        var a = new float[net.ParameterCount];
        var b = new float[net.ParameterCount];
        net.Initialize(a, 9);
        net.Initialize(b, 9);
        Assert.Equal(a, b);
        // He init of conv2 (fan-in 800): standard deviation sqrt(2/800) = 0.05
        var conv2 = a.AsSpan(net.ParameterOffset(3), 64 * 800).ToArray();
        double std = Math.Sqrt(conv2.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.045, 0.055);
    }

    [Fact]
    public void LeNetLearnsSyntheticImagesWithTwoAsyncWorkers()
    {
        var split = TestImages.Split(n: 3000, test: 500, seed: 4, noise: 1.0);
        var options = new TrainingOptions { Model = "lenet", Workers = 2, Batch = 32, LearningRate = 0.02, Updates = 800, Seed = 3, EvalSize = 300, EvalEvery = 200, Momentum = 0, Schedule = "constant" };
        // Two asynchronous workers already add ~0.5 implicit momentum; explicit 0.5 on top put the total near 1 (unstable).
        // At lr 0.05 the first steps (initial loss ~5 on these noisy images) killed the ReLUs in 3 of 10 seeds (accuracy
        // 0.086, loss stuck at ln 10); at lr 0.02 all 10 seeds reached >= 99.4 %.
        var result = new Trainer().Run(options, data: split);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.True(result.Record.Summary.FinalAccuracy > 0.7, $"accuracy {result.Record.Summary.FinalAccuracy}");
        Assert.True(result.Record.Summary.FinalLoss < 0.5 * result.Record.Summary.InitialLoss);
    }
}
