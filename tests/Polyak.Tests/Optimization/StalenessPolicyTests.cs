using Polyak.Execution;
using Polyak.Optimization;

namespace Polyak.Tests.Optimization;

/// <summary>
/// The server-side staleness policies against hand-computed values on a 3-coordinate example, their parsing, and their
/// effect through a whole run (deterministic on the simulator; drops counted; what cannot run them refuses them).
/// </summary>
public sealed class StalenessPolicyTests
{
    private static UpdateCore Core(StalenessPolicy policy, float[] w, double mu = 0) =>
        new(ServerState.Initial(w, mu), 0, LearningRateSchedule.Parse("constant", 0.1, null)) { Policy = policy };

    /// <summary>A core at version <paramref name="version"/> (stale reads are possible), by applying zero gradients.</summary>
    private static UpdateCore At(StalenessPolicy policy, float[] w, long version)
    {
        var core = Core(StalenessPolicy.None, w);
        for (long t = 0; t < version; t++) core.Apply(new float[w.Length], t);
        return new UpdateCore(core.GetState(), 0, core.Schedule) { Policy = policy };
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(37)]
    [InlineData(1000)]
    public void TheVectorisedCompensationsEqualTheScalarFormulaBitForBit(int n)
    {
        var r = new Random(n);
        float[] g = new float[n], w = new float[n], wr = new float[n], ms = new float[n], msRef = new float[n];
        for (int i = 0; i < n; i++)
        {
            g[i] = (float)(r.NextDouble() - 0.5);
            w[i] = (float)r.NextDouble();
            wr[i] = (float)r.NextDouble();
            ms[i] = msRef[i] = (float)r.NextDouble() * 0.01f;
        }
        var dc = Parse("dc:0.7");
        var out1 = new float[n];
        dc.Compensate(g, w, wr, out1);
        var dca = Parse("dc-a:2");
        var out2 = new float[n];
        dca.CompensateAdaptive(g, w, wr, ms, out2);
        for (int i = 0; i < n; i++)
        {
            float gi = g[i];
            Assert.Equal(gi + 0.7f * gi * gi * (w[i] - wr[i]), out1[i]);
            float m = 0.95f * msRef[i] + (1 - 0.95f) * gi * gi;
            Assert.Equal(m, ms[i]);
            Assert.Equal(gi + 2f / MathF.Sqrt(m + 1e-7f) * gi * gi * (w[i] - wr[i]), out2[i]);
        }
    }

    [Fact]
    public void LearningRateScaleDividesTheRateByTheStaleness()
    {
        // w = [1, 2, 3], g = [1, 1, 1], alpha 0.1, tau = 4: w' = w - 0.1 / 4 g.
        var core = At(Parse("lr-scale"), [1, 2, 3], 4);
        long tau = core.Apply([1, 1, 1], readVersion: 0);
        Assert.Equal(4, tau);
        Assert.Equal(new[] { 0.975f, 1.975f, 2.975f }, core.W.ToArray());
        // tau = 0 and 1 keep the rate.
        var fresh = At(Parse("lr-scale"), [1, 2, 3], 4);
        fresh.Apply([1, 1, 1], readVersion: 4);
        Assert.Equal(new[] { 0.9f, 1.9f, 2.9f }, fresh.W.ToArray());
    }

    [Fact]
    public void DropConsumesTheUpdateWithoutApplyingIt()
    {
        var core = At(Parse("drop:2"), [1, 2, 3], 3);
        long tau = core.Apply([1, 1, 1], readVersion: 0); // tau 3 > 2: dropped
        Assert.Equal(3, tau);
        Assert.Equal(new[] { 1f, 2f, 3f }, core.W.ToArray());
        Assert.Equal(new[] { 0f, 0f, 0f }, core.V.ToArray());
        Assert.Equal(4, core.Version);
        Assert.Equal(1, core.DroppedUpdates);
        Assert.Equal(1, core.Staleness.ToArray()[3]);
        core.Apply([1, 1, 1], readVersion: 2); // tau 2: applied
        Assert.Equal(new[] { 0.9f, 1.9f, 2.9f }, core.W.ToArray());
        Assert.Equal(1, core.DroppedUpdates);
    }

    [Fact]
    public void DelayCompensationAddsLambdaGSquaredTimesTheDrift()
    {
        // w = [1, 2, 3], w_read = [0.5, 2, 4], g = [2, -1, 1], lambda 0.5:
        // g' = g + 0.5 g^2 (w - w_read) = [2 + 0.5*4*0.5, -1 + 0, 1 + 0.5*1*(-1)] = [3, -1, 0.5]; w' = w - 0.1 g' = [0.7, 2.1, 2.95].
        var core = At(Parse("dc:0.5"), [1, 2, 3], 2);
        core.Apply([2, -1, 1], readVersion: 0, readParameters: new float[] { 0.5f, 2, 4 });
        var w = core.W.ToArray();
        Assert.Equal(0.7f, w[0], 6);
        Assert.Equal(2.1f, w[1], 6);
        Assert.Equal(2.95f, w[2], 6);
        // With momentum the compensated gradient goes through the same heavy-ball step: v = 0.5 * 0 - 0.1 g'.
        Assert.Equal(new[] { -0.3f, 0.1f, -0.05f }, core.V.ToArray().Select(x => MathF.Round(x, 6)).ToArray());
        Assert.Throws<ArgumentException>(() => core.Apply([1, 1, 1], readVersion: 3));
    }

    [Fact]
    public void AdaptiveDelayCompensationScalesLambdaByTheRootMeanSquareOfTheGradient()
    {
        // w = [1, 2, 3], w_read = [0.5, 2, 4], g = [2, -1, 1], lambda_0 0.5, m 0.95, first update:
        // MS = 0.05 g^2 = [0.2, 0.05, 0.05]; lambda = 0.5 / sqrt(MS) = [1.118034, 2.236068, 2.236068];
        // g' = g + lambda g^2 (w - w_read) = [2 + 1.118034*4*0.5, -1, 1 - 2.236068] = [4.236068, -1, -1.236068];
        // w' = w - 0.1 g' = [0.5763932, 2.1, 3.1236068].
        var core = At(Parse("dc-a:0.5"), [1, 2, 3], 2);
        core.Apply([2, -1, 1], readVersion: 0, readParameters: new float[] { 0.5f, 2, 4 });
        var w = core.W.ToArray();
        Assert.Equal(0.5763932f, w[0], 5);
        Assert.Equal(2.1f, w[1], 5);
        Assert.Equal(3.1236068f, w[2], 5);
        Assert.Equal(new[] { 0.2f, 0.05f, 0.05f }, core.MeanSquare!.Select(x => MathF.Round(x, 6)).ToArray());
        // The mean square accumulates: a fresh g = [1, 1, 1] (no drift, so no correction) gives MS = 0.95 MS + 0.05.
        core.Apply([1, 1, 1], readVersion: 3, readParameters: core.W.ToArray());
        Assert.Equal(new[] { 0.24f, 0.0975f, 0.0975f }, core.MeanSquare!.Select(x => MathF.Round(x, 6)).ToArray());
        Assert.Equal(0.4763932f, core.W[0], 5);
        // The constant variant keeps no mean square.
        var constant = At(Parse("dc:0.5"), [1, 2, 3], 2);
        constant.Apply([2, -1, 1], readVersion: 0, readParameters: new float[] { 0.5f, 2, 4 });
        Assert.Null(constant.MeanSquare);
    }

    [Fact]
    public void AnAdaptiveDelayCompensationRunResumedOnTheSimulatorIsBitIdentical()
    {
        var o = Sim with { StalenessPolicy = "dc-a", Updates = 300 };
        var full = TestSupport.Train(o);
        var (first, resumed) = TestSupport.InterruptAndResume(o, 120, 40, "dca-resume");
        Assert.Equal(RunStatus.Interrupted, first.Status);
        Assert.Equal(RunStatus.Completed, resumed.Status);
        // Without the mean square in the checkpoint the resumed run restarts it from 0 and differs.
        Assert.Equal(full.Parameters, resumed.Parameters);
    }

    private static StalenessPolicy Parse(string spec) => StalenessPolicy.Parse(spec);

    [Theory]
    [InlineData("none", "none")]
    [InlineData("lr-scale", "lr-scale")]
    [InlineData("drop:8", "drop:8")]
    [InlineData("DC", "dc:0.04")]
    [InlineData("dc:2", "dc:2")]
    [InlineData("SSP:3", "ssp:3")]
    [InlineData("dc-a", "dc-a:2")]
    [InlineData("dc-a:0.3", "dc-a:0.3")]
    [InlineData("ssp:0", "ssp:0")]
    public void SpecsParseAndRoundTrip(string spec, string canonical)
    {
        Assert.Equal(canonical, Parse(spec).Spec);
        Assert.Equal(Parse(spec), Parse(Parse(spec).Spec));
    }

    [Theory]
    [InlineData("drop")]
    [InlineData("drop:-1")]
    [InlineData("dc:NaN")]
    [InlineData("lr-scale:2")]
    [InlineData("ssp")]
    [InlineData("ssp:-2")]
    [InlineData("bsp:3")]
    public void BadSpecsAreRefused(string spec) => Assert.Throws<FormatException>(() => Parse(spec));

    private static readonly TrainingOptions Sim = new()
    {
        Data = "synthetic:mixture,dim=16,n=2000,test=200", Model = "softmax", Backend = "simulated", Workers = 8, Batch = 16,
        LearningRate = 0.5, Updates = 600, EvalEvery = 100, EvalSize = 200, Seed = 2,
    };

    [Fact]
    public void EveryPolicyRunsDeterministicallyOnTheSimulatorAndChangesTheRun()
    {
        var plain = TestSupport.Train(Sim);
        foreach (string spec in new[] { "lr-scale", "drop:4", "dc:0.5", "dc-a", "ssp:2" })
        {
            var a = TestSupport.Train(Sim with { StalenessPolicy = spec });
            var b = TestSupport.Train(Sim with { StalenessPolicy = spec });
            Assert.Equal(a.Parameters, b.Parameters);
            Assert.NotEqual(plain.Parameters, a.Parameters);
            Assert.Equal(600, a.Record.Summary.Updates);
            Assert.Equal(spec, a.Record.Config.StalenessPolicy);
        }
        var dropped = TestSupport.Train(Sim with { StalenessPolicy = "drop:4" });
        // 8 asynchronous workers: mean staleness 7, so most updates are older than 4 and dropped.
        long droppedCount = dropped.Record.Summary.DroppedUpdates!.Value;
        long older = dropped.Record.Summary.Staleness.Histogram.Skip(5).Sum();
        Assert.Equal(older, droppedCount);
        Assert.InRange(droppedCount, 100, 599);
    }

    [Fact]
    public void HogwildRefusesPoliciesThatNeedTheWholeUpdate()
    {
        var ex = Assert.Throws<ArgumentException>(() => TestSupport.Train(Sim with { Backend = "threads", Discipline = UpdateDiscipline.Hogwild, StalenessPolicy = "dc" }));
        Assert.Contains("needs the atomic discipline", ex.Message);
        var r = TestSupport.RunCli("train", "--data", "synthetic:mixture,dim=8,n=300,test=50", "--updates", "3", "--staleness-policy", "bsp:3",
            "--out", Path.Combine(TestSupport.TempDir("policy-bad"), "run"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--staleness-policy: 'bsp:3' is not a staleness policy", r.Stderr);
    }
}
