using Polyak.Data;
using Polyak.Models;
using Polyak.Numerics;

namespace Polyak.Tests.Models;

public class LinearModelGradientTests
{
    public static TheoryData<string> Models => new() { "linear", "logistic", "softmax" };

    /// <summary>Central finite differences of the mean loss (in double) against the analytic gradient.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void GradientMatchesFiniteDifferences(string name)
    {
        var data = name switch
        {
            "linear" => SyntheticData.Generate("synthetic:regression,dim=7,n=50,test=5,cond=10", 3).Train,
            "logistic" => SyntheticData.Generate("synthetic:binary,dim=6,n=50,test=5", 3).Train,
            _ => SyntheticData.Generate("synthetic:mixture,classes=4,dim=5,n=50,test=5", 3).Train,
        };
        var model = ModelCatalog.Create(name, data);
        var rng = new RandomStream(11);
        var w = new float[model.ParameterCount];
        for (int i = 0; i < w.Length; i++) w[i] = (float)(0.5 * rng.NextGaussian());
        var rows = new[] { 0, 3, 7, 11, 19, 23, 31, 42 };
        var ws = model.CreateWorkspace(rows.Length, 1);
        var grad = new float[w.Length];
        model.LossAndGradient(w, data, rows, grad, ws);
        const float eps = 1e-2f;
        for (int i = 0; i < w.Length; i++)
        {
            float keep = w[i];
            w[i] = keep + eps;
            double up = model.Evaluate(w, data, rows, ws).Loss;
            w[i] = keep - eps;
            double down = model.Evaluate(w, data, rows, ws).Loss;
            w[i] = keep;
            double fd = (up - down) / (2 * eps);
            Assert.True(Math.Abs(fd - grad[i]) <= 2e-3 + 2e-2 * Math.Abs(fd), $"{name} parameter {i}: analytic {grad[i]} vs finite difference {fd}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TrainingLossEqualsEvaluationLoss(string name)
    {
        var data = name switch
        {
            "linear" => SyntheticData.Generate("synthetic:regression,dim=9,n=40,test=5", 5).Train,
            "logistic" => SyntheticData.Generate("synthetic:binary,dim=9,n=40,test=5", 5).Train,
            _ => SyntheticData.Generate("synthetic:mixture,dim=9,n=40,test=5", 5).Train,
        };
        var model = ModelCatalog.Create(name, data);
        var w = new float[model.ParameterCount];
        var rng = new RandomStream(2);
        for (int i = 0; i < w.Length; i++) w[i] = (float)(0.3 * rng.NextGaussian());
        var rows = Enumerable.Range(0, 40).ToArray();
        var ws = model.CreateWorkspace(40, 1);
        float loss = model.LossAndGradient(w, data, rows, new float[w.Length], ws);
        Assert.Equal(model.Evaluate(w, data, rows, ws).Loss, loss, 4);
    }

    [Fact]
    public void ModelsRefuseMismatchedData()
    {
        var reg = SyntheticData.Generate("synthetic:regression,dim=3,n=10,test=2", 1).Train;
        var cls = SyntheticData.Generate("synthetic:mixture,dim=3,n=10,test=2", 1).Train;
        Assert.Contains("softmax", Assert.Throws<ArgumentException>(() => ModelCatalog.Create("softmax", reg)).Message);
        Assert.Contains("linear", Assert.Throws<ArgumentException>(() => ModelCatalog.Create("linear", cls)).Message);
        Assert.Contains("unknown model", Assert.Throws<ArgumentException>(() => ModelCatalog.Create("resnet9000", cls)).Message);
    }

    [Fact]
    public void GradientAllocatesNothing()
    {
        var data = SyntheticData.Generate("synthetic:mixture,dim=64,n=200,test=5", 1).Train;
        var model = ModelCatalog.Create("softmax", data);
        var w = new float[model.ParameterCount];
        var g = new float[model.ParameterCount];
        var rows = Enumerable.Range(0, 64).ToArray();
        var ws = model.CreateWorkspace(64, 1);
        model.LossAndGradient(w, data, rows, g, ws); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 20; k++) model.LossAndGradient(w, data, rows, g, ws);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
