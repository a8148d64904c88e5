using System.Text.Json;
using Polyak.Execution;
using Polyak.Theory;
using Xunit;
using Xunit.Abstractions;
using Polyak.Optimization;
using Polyak.Training;
using Polyak.Cli;

namespace Polyak.Tests.Simulation;

/// <summary>The theory check: incomplete gamma, chi-square vs the geometric law, implicit momentum 1 - 1/M, online estimator.</summary>
public sealed class TheoryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 3.841458820694124, 0.05)]
    [InlineData(10, 18.307038053275146, 0.05)]
    [InlineData(5, 15.08627246938899, 0.01)]
    [InlineData(30, 29.336029, 0.5)]
    [InlineData(2, 7.0, 0.0301973834223185)] // exp(-x/2)
    public void ChiSquareSurvivalMatchesTables(int df, double x, double p) =>
        Assert.Equal(p, IncompleteGamma.ChiSquareSurvival(x, df), 5);

    [Fact]
    public void IncompleteGammaIdentities()
    {
        foreach (double x in new[] { 0.1, 1, 3, 10, 40 })
        {
            Assert.Equal(1 - Math.Exp(-x), IncompleteGamma.P(1, x), 12);
            Assert.Equal(1, IncompleteGamma.P(2.5, x) + IncompleteGamma.Q(2.5, x), 12);
        }
        Assert.Equal(Math.Log(24), IncompleteGamma.LogGamma(5), 12);
        Assert.Equal(0.5 * Math.Log(Math.PI), IncompleteGamma.LogGamma(0.5), 12);
    }

    [Fact]
    public void ChiSquareRejectsAWrongLaw()
    {
        var law = StalenessLaw.Geometric(4);
        var h = new StalenessHistogram();
        for (int i = 0; i < 4000; i++) h.Add(i % 7); // uniform on 0..6, mean 3: right mean, wrong law
        var fit = law.Fit(h)!;
        Assert.True(fit.PValue < 1e-6, $"p = {fit.PValue}");
    }

    [Theory]
    [InlineData(4, 3000)]
    [InlineData(16, 1500)]
    public void ExponentialTimesGiveGeometricStaleness(int m, int samples)
    {
        // Real backend, real softmax gradients; every M-th staleness after warm-up (successive values are correlated).
        var hist = new StalenessHistogram();
        long seen = 0;
        int warm = TheoryStudy.WarmUp(m);
        var o = new TrainingOptions
        {
            Data = "synthetic:mixture,n=2000,test=200,dim=16", Model = "softmax", Backend = "simulated", Workers = m, Batch = 16,
            LearningRate = 0.1, Updates = warm + (long)samples * m, Seed = 11, EvalEvery = 1_000_000, EvalSize = 100,
        };
        var result = new Trainer
        {
                        Configure = ctx => ctx.UpdateHook = (_, _, tau) =>
            {
                long k = seen++ - warm;
                if (k >= 0 && k % m == 0) hist.Add(tau);
            },
        }.Run(o);
        Assert.Equal(RunStatus.Completed, result.Status);
        var fit = StalenessLaw.Geometric(m).Fit(hist)!;
        output.WriteLine($"M = {m}: n = {fit.Observations}, chi2 = {fit.Statistic:F2}, df = {fit.DegreesOfFreedom}, p = {fit.PValue:F4}, mean {hist.Mean:F3}");
        Assert.True(fit.Passes(0.01), $"chi-square p = {fit.PValue}");
        Assert.InRange(result.Record.Summary.Staleness.Mean, 0.95 * (m - 1), 1.05 * (m - 1));
    }

    [Fact]
    public void StalenessLawPredictions()
    {
        Assert.Equal(3, StalenessLaw.For(new ClockModel(new SimulationOptions(), 4, 4, 8)).Mean);
        Assert.Equal(0.25 * 0.75 * 0.75, StalenessLaw.For(new ClockModel(new SimulationOptions(), 4, 4, 8)).Probability(2), 12);
        var constant = StalenessLaw.For(new ClockModel(new SimulationOptions { Distribution = "constant" }, 6, 6, 8));
        Assert.Equal(5, constant.PointMass);
        var lognormal = StalenessLaw.For(new ClockModel(new SimulationOptions { Distribution = "lognormal" }, 6, 6, 8));
        Assert.False(lognormal.HasDistribution);
        Assert.Equal(5, lognormal.Mean);
        var straggler = StalenessLaw.For(new ClockModel(new SimulationOptions { Slowdown = new() { [0] = 3 } }, 4, 4, 8));
        double sum = Enumerable.Range(0, 2000).Sum(straggler.Probability);
        Assert.Equal(1, sum, 6);
        Assert.Equal(3, Enumerable.Range(0, 4000).Sum(l => l * straggler.Probability(l)), 4);
    }

    [Fact]
    public void ImplicitMomentumMatchesOneMinusOneOverM()
    {
        var report = TheoryStudy.Run(new TheoryOptions { Workers = [1, 2, 4, 8, 16], StalenessUpdates = 5000, Bootstrap = 100 });
        foreach (var r in report.Rows)
        {
            double q = 1 - 1.0 / r.Workers;
            output.WriteLine($"M = {r.Workers}: staleness {r.StalenessMean:F4} (M-1 = {r.Workers - 1}), chi2 p {r.ChiSquarePValue:F3}, mu_hat {r.MuHat:F4} [{r.MuHatCi[0]:F4}, {r.MuHatCi[1]:F4}] vs {q:F4} (LS {r.MuLeastSquares:F4}), alpha ratio {r.AlphaRatio:F4} vs {1.0 / r.Workers:F4}, online {r.OnlineImplicit:F4}");
            Assert.InRange(r.MuHat, q - 0.05, q + 0.05);
            Assert.InRange(r.AlphaRatio, 0.8 / r.Workers, 1.2 / r.Workers);
            if (r.Workers > 1)
            {
                Assert.InRange(r.StalenessMean, 0.95 * (r.Workers - 1), 1.05 * (r.Workers - 1));
                Assert.InRange(q, r.MuHatCi[0] - 0.01, r.MuHatCi[1] + 0.01);
                Assert.True(r.ChiSquarePValue >= 0.01, $"M = {r.Workers}: chi-square p = {r.ChiSquarePValue}");
                Assert.InRange(r.OnlineImplicit, q - 0.05, q + 0.05);
            }
            else Assert.Equal(0, r.StalenessMean);
        }
    }

    [Fact]
    public void ExplicitMomentumCombinesWithTheExactLags()
    {
        var report = TheoryStudy.Run(new TheoryOptions { Workers = [2, 4], ExplicitMomentum = 0.5, StalenessUpdates = 5000, Bootstrap = 100 });
        foreach (var r in report.Rows)
        {
            output.WriteLine($"M = {r.Workers}: lags {r.Lag1:F4}, {r.Lag2:F4} [{r.Lag2Ci[0]:F4}, {r.Lag2Ci[1]:F4}] vs exact {0.5 + 1 - 1.0 / r.Workers:F4}, {r.Lag2Exact:F4}; RSS additive/exact {r.RssRatioAdditiveOverExact:F1}; online implicit {r.OnlineImplicit:F4}");
            Assert.Equal("exact", r.Supports);
            Assert.True(r.RssRatioAdditiveOverExact > 10);
            Assert.InRange(r.Lag2, r.Lag2Exact - 0.1, r.Lag2Exact + 0.1);
            Assert.InRange(r.OnlineImplicit, 1 - 1.0 / r.Workers - 0.05, 1 - 1.0 / r.Workers + 0.05);
        }
    }

    [Fact]
    public void ConstantTimesGiveDegenerateIntervalsAFlaggedEstimatorAndATruthfulLagVerdict()
    {
        // Constant gradient times: every trajectory is the same. Before: a zero-width "95 % CI" shown as an interval, the
        // two-lag fit's lag2 = -0.97 called "indistinguishable", online values of 1.02 printed unflagged.
        var report = TheoryStudy.Run(new TheoryOptions { Workers = [1, 4], Distribution = "constant", StalenessUpdates = 2000, Bootstrap = 50, Trajectories = 32 });
        var m4 = report.Rows.Single(r => r.Workers == 4);
        Assert.True(m4.IntervalsDegenerate);
        Assert.Equal(m4.MuHatCi[0], m4.MuHatCi[1]);
        Assert.False(m4.OnlineValid);
        Assert.True(m4.Lag2 < -0.5, $"lag2 {m4.Lag2}");
        Assert.Equal("neither", m4.Supports);
        Assert.Contains("both models predict lag2 = 0", m4.SupportsReason);
        Assert.True(m4.ChiSquareValid); // no law to test against: nothing claimed, nothing flagged
        var exponential = TheoryStudy.Run(new TheoryOptions { Workers = [4], StalenessUpdates = 2000, Bootstrap = 50, Trajectories = 32 }).Rows[0];
        Assert.False(exponential.IntervalsDegenerate);
        Assert.True(exponential.OnlineValid);
        Assert.NotNull(exponential.ChiSquareLag1Correlation);
    }

    [Fact]
    public void TheoryIsDeterministic()
    {
        var o = new TheoryOptions { Workers = [4], Trajectories = 32, StalenessUpdates = 500, Bootstrap = 20 };
        var a = JsonSerializer.Serialize(TheoryStudy.Run(o).Rows.Select(r => r with { WallSeconds = 0 }), Json.Compact);
        var b = JsonSerializer.Serialize(TheoryStudy.Run(o).Rows.Select(r => r with { WallSeconds = 0 }), Json.Compact);
        Assert.Equal(a, b);
    }

    [Fact]
    public void OnlineEstimatorExplicitRatioIsTheExplicitMomentum()
    {
        var h = new double[] { 1, 0.5, 0.2 };
        var est = new OnlineMomentumEstimator(4, decay: 0.99, skipCoordinates: [3]);
        TheoryStudy.RunQuadratic(new GatedQuadratic(h, float.NegativeInfinity, 0.1), 4, 0.1, 0.3, 3000, 5, new SimulationOptions(), est, null);
        var e = est.Estimate();
        Assert.Equal(0.3, e.ExplicitRatio, 3);
        Assert.Equal(0.3, e.ExplicitMomentum, 12);
        Assert.Equal(e.ExplicitMomentum + e.Implicit, e.Total, 12);
        Assert.True(e.Versions > 2900);
    }

    [Theory]
    [InlineData("exponential", 4, true)]   // geometric staleness, the law the trajectory estimate is derived under
    [InlineData("exponential", 16, true)]
    [InlineData("constant", 2, false)]     // a fixed delay of M - 1
    [InlineData("constant", 4, false)]
    public void OnlineEstimatorTellsMemorylessStalenessFromAFixedDelay(string distribution, int workers, bool memoryless)
    {
        var h = new double[] { 1, 0.5, 0.2 };
        var est = new OnlineMomentumEstimator(4, decay: 0.999, skipCoordinates: [3]);
        TheoryStudy.RunQuadratic(new GatedQuadratic(h, float.NegativeInfinity, 0.1), workers, 0.1, 0.0, 4000, 5,
            new SimulationOptions { Distribution = distribution }, est, null);
        var e = est.Estimate();
        Assert.Equal(workers - 1, e.MeanStaleness, 1);
        Assert.Equal(1 - 1.0 / workers, e.StalenessImplicit, 2);
        Assert.Equal(memoryless, e.StalenessLooksMemoryless);
        if (memoryless) Assert.InRange(e.StalenessDistanceFromGeometric, 0, 0.05);
        else Assert.InRange(e.StalenessDistanceFromGeometric, 0.2, 1);
    }

    [Theory]
    [InlineData("--workers", "0")]
    [InlineData("--workers", "2,x")]
    [InlineData("--distribution", "pareto")]
    [InlineData("--momentum", "1.5")]
    [InlineData("--trajectories", "1")]
    public void TheoryCliRejectsBadInput(string option, string value) =>
        Assert.Equal(ExitCodes.BadInput, Polyak.Cli.Program.Main(["theory", option, value]));

    [Fact]
    public void TheoryCliPrintsJsonOnTheLastLine()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"polyak-theory-test-{Environment.ProcessId}");
        var stdout = Console.Out;
        var sw = new StringWriter();
        Console.SetOut(sw);
        int code;
        try { code = Polyak.Cli.Program.Main(["theory", "--workers", "1,4", "--trajectories", "16", "--bootstrap", "10", "--staleness-updates", "200", "--json", "--out", dir]); }
        finally { Console.SetOut(stdout); }
        Assert.Equal(0, code);
        string last = sw.ToString().TrimEnd().Split('\n')[^1];
        using var doc = JsonDocument.Parse(last);
        var rows = doc.RootElement.GetProperty("rows");
        Assert.Equal(2, rows.GetArrayLength());
        Assert.Equal(4, rows[1].GetProperty("workers").GetInt32());
        Assert.Equal(2, rows[1].GetProperty("mu_hat_ci").GetArrayLength());
        foreach (string f in new[] { "theory.csv", "theory.json", "staleness.png", "staleness.svg", "momentum.png", "momentum.svg" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        Directory.Delete(dir, true);
    }
}

/// <summary>The online estimator on a real SGD run (softmax, mini-batch noise) on the simulator.</summary>
public sealed class OnlineEstimatorSoftmaxTests(ITestOutputHelper output)
{
    [Fact]
    public void SeesTheImplicitMomentumOfFourAsynchronousWorkers()
    {
        OnlineMomentumEstimator? est = null;
        var o = new TrainingOptions
        {
            Data = "synthetic:mixture,n=5000,test=200,dim=32", Model = "softmax", Backend = "simulated", Workers = 4, Batch = 32,
            LearningRate = 0.05, Momentum = 0.5, Updates = 40_000, Seed = 2, EvalEvery = 1_000_000, EvalSize = 200,
        };
        new Trainer { Configure = ctx => ctx.Server.Core.Attach(est = new OnlineMomentumEstimator(ctx.Model.ParameterCount, decay: 1.0)) }.Run(o);
        var e = est!.Estimate();
        output.WriteLine($"implicit {e.Implicit:F3} [{e.Lower:F3}, {e.Upper:F3}], total {e.Total:F3}, check ratio {e.ExplicitRatio:F3}");
        Assert.InRange(e.Implicit, 0.70, 0.80); // theory 0.75
        Assert.Equal(0.5 + e.Implicit, e.Total, 12);
        Assert.Equal(0.5, e.ExplicitRatio, 2);
    }
}
