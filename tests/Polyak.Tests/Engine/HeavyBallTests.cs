using System.Numerics;
using Polyak.Execution;
using Polyak.Optimization;

namespace Polyak.Tests.Engine;

public class HeavyBallTests
{
    /// <summary>
    /// On f(w) = 0.5 h w^2 (per coordinate) with constant step, the server's iterates must follow the closed form of
    /// w_{t+1} = (1 + mu - alpha h) w_t - mu w_{t-1}: w_t = c1 r1^t + c2 r2^t, r the roots of r^2 - (1+mu-alpha h) r + mu.
    /// </summary>
    [Theory]
    [InlineData(0.9)]
    [InlineData(0.5)]
    [InlineData(0.0)]
    [InlineData(-0.3)]
    [InlineData(-0.7)]
    public void ServerFollowsClosedFormOfHeavyBallOnQuadratic(double mu)
    {
        double[] h = [0.05, 0.5, 1.0, 2.5];
        const double alpha = 0.3;
        var w0 = new float[] { 1f, -2f, 0.5f, 3f };
        var server = new ParameterServer(w0, mu, 0, LearningRateSchedule.Constant(alpha), UpdateDiscipline.Atomic);
        var w = new float[4];
        var g = new float[4];
        const int steps = 60;
        for (int t = 0; t < steps; t++)
        {
            long version = server.Read(w);
            for (int i = 0; i < 4; i++) g[i] = (float)(h[i] * w[i]);
            Assert.Equal(0, server.Apply(g, version));
        }
        server.Read(w);
        for (int i = 0; i < 4; i++)
        {
            double expected = ClosedForm(w0[i], h[i], alpha, mu, steps);
            Assert.True(Math.Abs(w[i] - expected) <= 1e-4 * Math.Max(1, Math.Abs(w0[i])),
                $"coordinate {i} (h={h[i]}, mu={mu}): server {w[i]} vs closed form {expected}");
        }
    }

    private static double ClosedForm(double w0, double h, double alpha, double mu, int t)
    {
        // w_1 = w_0 - alpha h w_0 (v_0 = 0); characteristic roots may be complex.
        double a = 1 + mu - alpha * h;
        Complex disc = Complex.Sqrt(a * a - 4 * mu);
        Complex r1 = (a + disc) / 2, r2 = (a - disc) / 2;
        double w1 = w0 - alpha * h * w0;
        if (Complex.Abs(r1 - r2) < 1e-12)
        {
            // repeated root: w_t = (c1 + c2 t) r^t
            Complex r = r1;
            Complex c1 = w0, c2 = w1 / r - w0;
            return (Complex.Pow(r, t) * (c1 + c2 * t)).Real;
        }
        Complex k2 = (w1 - r1 * w0) / (r2 - r1);
        Complex k1 = w0 - k2;
        return (k1 * Complex.Pow(r1, t) + k2 * Complex.Pow(r2, t)).Real;
    }

    [Fact]
    public void KernelMatchesScalarRuleIncludingWeightDecayAndTail()
    {
        var rng = new Polyak.Numerics.RandomStream(7);
        foreach (int n in new[] { 1, 7, 16, 33, 100, 1025 })
        {
            var w = Enumerable.Range(0, n).Select(_ => (float)rng.NextGaussian()).ToArray();
            var v = Enumerable.Range(0, n).Select(_ => (float)rng.NextGaussian()).ToArray();
            var g = Enumerable.Range(0, n).Select(_ => (float)rng.NextGaussian()).ToArray();
            var w2 = (float[])w.Clone();
            var v2 = (float[])v.Clone();
            HeavyBall.Step(w, v, g, -0.4f, 0.1f, 0.01f);
            for (int i = 0; i < n; i++)
            {
                double nv = -0.4 * v2[i] - 0.1 * (g[i] + 0.01 * w2[i]);
                Assert.True(Math.Abs(nv - v[i]) <= 1e-5 * (1 + Math.Abs(nv)), $"v[{i}] of {n}: {v[i]} vs {nv}");
                Assert.True(Math.Abs(w2[i] + nv - w[i]) <= 1e-5 * (1 + Math.Abs(w[i])), $"w[{i}] of {n}: {w[i]} vs {w2[i] + nv}");
            }
        }
    }

    /// <summary>Every vector width this machine runs in hardware (by the rule <see cref="HeavyBall.Step"/> dispatches by), scalar included.</summary>
    public static TheoryData<string> AvailableWidths => new(HeavyBall.AvailableWidths.Select(w => w.ToString()));

    /// <summary>The step's arithmetic, one coordinate at a time, in the documented order with single-rounding FMAs.</summary>
    private static void ReferenceStep(float[] w, float[] v, float[] g, int offset, int n, float mu, float alpha, float lambda)
    {
        for (int i = offset; i < offset + n; i++)
        {
            float d = MathF.FusedMultiplyAdd(lambda, w[i], g[i]);
            float nv = MathF.FusedMultiplyAdd(-alpha, d, mu * v[i]);
            v[i] = nv;
            w[i] = w[i] + nv;
        }
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}[{i}]: {actual[i]:R} (0x{BitConverter.SingleToInt32Bits(actual[i]):x8}), reference {expected[i]:R} (0x{BitConverter.SingleToInt32Bits(expected[i]):x8})");
    }

    [Theory]
    [MemberData(nameof(AvailableWidths))]
    public void EveryAvailableWidthIsBitIdenticalToTheScalarReference(string widthName)
    {
        var width = Enum.Parse<HeavyBall.Width>(widthName);
        var rng = new Polyak.Numerics.RandomStream(11);
        (float Mu, float Alpha, float Lambda)[] settings = [(0.9f, 0.05f, 1e-4f), (-0.4f, 0.1f, 0.01f), (0f, 0.3f, 0f), (0.99f, 1e-3f, 0.5f)];
        foreach (int n in new[] { 0, 1, 7, 15, 16, 17, 33, 1000, 1023 })
            foreach (int offset in new[] { 0, 1 }) // 1: no vector load is aligned
                foreach (var (mu, alpha, lambda) in settings)
                {
                    int len = offset + n + 1; // the element past the slice must stay untouched
                    var w = Enumerable.Range(0, len).Select(_ => (float)(rng.NextGaussian() * 3)).ToArray();
                    var v = Enumerable.Range(0, len).Select(_ => (float)rng.NextGaussian()).ToArray();
                    var g = Enumerable.Range(0, len).Select(_ => (float)(rng.NextGaussian() * 10)).ToArray();
                    var wRef = (float[])w.Clone();
                    var vRef = (float[])v.Clone();
                    for (int step = 0; step < 3; step++)
                    {
                        HeavyBall.StepWith(width, w.AsSpan(offset, n), v.AsSpan(offset, n), g.AsSpan(offset, n), mu, alpha, lambda);
                        ReferenceStep(wRef, vRef, g, offset, n, mu, alpha, lambda);
                    }
                    string what = $"{width} n={n} offset={offset} mu={mu} alpha={alpha} lambda={lambda}";
                    AssertSameBits(wRef, w, $"{what}: w");
                    AssertSameBits(vRef, v, $"{what}: v");
                }
    }

    [Fact]
    public void StepDispatchesToTheWidestAvailableWidth()
    {
        var rng = new Polyak.Numerics.RandomStream(12);
        const int n = 1023;
        var w = Enumerable.Range(0, n).Select(_ => (float)rng.NextGaussian()).ToArray();
        var v = Enumerable.Range(0, n).Select(_ => (float)rng.NextGaussian()).ToArray();
        var g = Enumerable.Range(0, n).Select(_ => (float)rng.NextGaussian()).ToArray();
        var (w2, v2) = ((float[])w.Clone(), (float[])v.Clone());
        HeavyBall.Step(w, v, g, 0.7f, 0.02f, 1e-3f);
        HeavyBall.StepWith(HeavyBall.DefaultWidth, w2, v2, g, 0.7f, 0.02f, 1e-3f);
        AssertSameBits(w2, w, "w");
        AssertSameBits(v2, v, "v");
        Assert.Equal(HeavyBall.AvailableWidths.Max(), HeavyBall.DefaultWidth);
        Assert.Equal(HeavyBall.Width.Scalar, HeavyBall.AvailableWidths[0]);
        foreach (var width in Enum.GetValues<HeavyBall.Width>().Except(HeavyBall.AvailableWidths))
        {
            var ex = Assert.Throws<PlatformNotSupportedException>(() => HeavyBall.StepWith(width, w, v, g, 0.7f, 0.02f, 1e-3f));
            Assert.Contains(width.ToString(), ex.Message);
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void MomentumOutsideOpenUnitIntervalIsRefused(double mu)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new ParameterServer(new float[3], mu, 0, LearningRateSchedule.Constant(0.1), UpdateDiscipline.Atomic));
        Assert.Contains("must be in (-1, 1)", ex.Message);
    }

    [Fact]
    public void SchedulesComputeDocumentedStepSizes()
    {
        Assert.Equal(0.5, LearningRateSchedule.Parse("constant", 0.5).At(1000));
        var step = LearningRateSchedule.Parse("step:100:0.1", 1.0);
        Assert.Equal(1.0, step.At(99), 12);
        Assert.Equal(0.1, step.At(100), 12);
        Assert.Equal(0.01, step.At(250), 12);
        var inv = LearningRateSchedule.Parse("inverse:10", 1.0);
        Assert.Equal(0.5, inv.At(10), 12);
        Assert.Equal(0.0, LearningRateSchedule.Parse("cosine:50", 1.0).At(50), 12);
        Assert.Throws<FormatException>(() => LearningRateSchedule.Parse("linear", 1.0));
        Assert.Throws<FormatException>(() => LearningRateSchedule.Parse("step:0:0.5", 1.0));
        Assert.Throws<FormatException>(() => LearningRateSchedule.Parse("constant", -1));
    }
}
