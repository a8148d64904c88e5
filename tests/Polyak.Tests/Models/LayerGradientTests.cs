using Polyak.Models.Layers;
using Polyak.Numerics;
using Xunit;

namespace Polyak.Tests.Models;

/// <summary>
/// Finite-difference checks of every layer's backward pass: with the scalar objective f(x, w) = sum(forward(x, w) * r)
/// the backward pass fed dy = r must give df/dx and df/dw. Objectives are accumulated in double.
/// </summary>
public sealed class LayerGradientTests
{
    private static float[] Uniform(int n, RandomStream r, double lo = -1, double hi = 1)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(lo + (hi - lo) * r.NextDouble());
        return x;
    }

    /// <summary>Values bounded away from zero (no ReLU kink within eps).</summary>
    private static float[] AwayFromZero(int n, RandomStream r)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((0.05 + 0.95 * r.NextDouble()) * (r.NextDouble() < 0.5 ? -1 : 1));
        return x;
    }

    /// <summary>Distinct values at least 0.01 apart (no max-pool switch within eps).</summary>
    private static float[] Distinct(int n, RandomStream r)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (i - n / 2) * 0.01f;
        r.Shuffle(x.AsSpan());
        return x;
    }

    private static double Objective(Layer layer, int batch, float[] x, float[] w, float[] r, bool training)
    {
        var y = new float[batch * layer.Output.Size];
        var shared = new float[layer.SharedScratch(batch)];
        layer.Forward(new LayerPass(batch, training, layer.CreateState(batch, 7), shared, 1), w, x, y);
        double f = 0;
        for (int i = 0; i < y.Length; i++) f += (double)y[i] * r[i];
        return f;
    }

    /// <summary>Checks dx and dw of <paramref name="layer"/> on input <paramref name="x"/> by central differences.</summary>
    internal static void Check(Layer layer, TensorShape input, int batch, float[]? x = null, double eps = 1e-2, double tol = 2e-3, bool training = true)
    {
        layer.Bind(input);
        var rng = new RandomStream(42);
        x ??= Uniform(batch * input.Size, rng);
        var w = new float[layer.ParameterCount];
        if (w.Length > 0)
        {
            layer.Initialize(w, rng, relu: true);
            var noise = Uniform(w.Length, rng, -0.1, 0.1);
            for (int i = 0; i < w.Length; i++) w[i] += noise[i];
        }
        var r = Uniform(batch * layer.Output.Size, rng);
        var y = new float[r.Length];
        var dx = new float[x.Length];
        var dw = new float[w.Length];
        var shared = new float[layer.SharedScratch(batch)];
        var state = layer.CreateState(batch, 7);
        layer.Forward(new LayerPass(batch, training, state, shared, 1), w, x, y);
        layer.Backward(new LayerPass(batch, training, state, shared, 1), w, x, y, r, dx, dw, needInputGradient: true);

        void Compare(float[] v, float[] analytic, string what)
        {
            for (int i = 0; i < v.Length; i++)
            {
                float saved = v[i];
                v[i] = saved + (float)eps;
                double fp = Objective(layer, batch, x, w, r, training);
                v[i] = saved - (float)eps;
                double fm = Objective(layer, batch, x, w, r, training);
                v[i] = saved;
                double numeric = (fp - fm) / (2 * eps);
                Assert.True(Math.Abs(numeric - analytic[i]) <= tol * (1 + Math.Abs(numeric)),
                    $"{layer.Token} on {input} x{batch}: d/d{what}[{i}] analytic {analytic[i]}, numeric {numeric}");
            }
        }
        Compare(x, dx, "x");
        Compare(w, dw, "w");
    }

    [Fact]
    public void Dense() => Check(new DenseLayer(5), TensorShape.Flat(7), batch: 3);

    [Theory]
    [InlineData(1, 3, 3, 1, 0, 6, 6)]
    [InlineData(2, 4, 3, 1, 1, 7, 5)]
    [InlineData(3, 2, 3, 2, 1, 7, 8)]
    [InlineData(2, 3, 5, 1, 2, 6, 6)]
    [InlineData(2, 2, 2, 3, 0, 9, 7)]
    public void Conv2d(int channels, int filters, int kernel, int stride, int padding, int height, int width)
    {
        var shape = new TensorShape(channels, height, width, true);
        Check(new Conv2dLayer(filters, kernel, stride, padding), shape, batch: 2);
        // one sample per im2col chunk: the chunked GEMMs and the dW accumulation across chunks
        Check(new Conv2dLayer(filters, kernel, stride, padding) { ChunkFloats = 1 }, shape, batch: 3);
    }

    [Fact]
    public void Relu()
    {
        var shape = new TensorShape(2, 3, 3, true);
        Check(new ReluLayer(), shape, 3, AwayFromZero(3 * shape.Size, new RandomStream(5)));
        Check(new ReluLayer(), TensorShape.Flat(10), 2, AwayFromZero(20, new RandomStream(6)));
    }

    [Theory]
    [InlineData(2, 2, 6, 6)]
    [InlineData(2, 2, 7, 5)]
    [InlineData(3, 2, 7, 7)]
    [InlineData(3, 3, 9, 6)]
    public void MaxPool(int size, int stride, int height, int width)
    {
        var shape = new TensorShape(2, height, width, true);
        Check(new MaxPoolLayer(size, stride), shape, 2, Distinct(2 * shape.Size, new RandomStream(9)), eps: 1e-3, tol: 5e-3);
    }

    /// <summary>
    /// The vector 2x2 pool (AVX-512 or AVX2, whichever this host runs) against a naive reference on the widths LeNet
    /// uses (24, 8) and ones that exercise every loop tail (6, 10, 34): forward values exactly, and backward routing each
    /// gradient to the window's maximum; with ties (a quantised input) the maximum that wins is the top row's, then the
    /// left column's.
    /// </summary>
    [Theory]
    [InlineData(24, 24, false)]
    [InlineData(8, 8, false)]
    [InlineData(6, 10, false)]
    [InlineData(4, 34, false)]
    [InlineData(24, 24, true)]
    public void TwoByTwoPoolEqualsTheNaiveReference(int height, int width, bool ties)
    {
        const int batch = 3, channels = 5;
        var layer = new MaxPoolLayer(2);
        var shape = new TensorShape(channels, height, width, true);
        layer.Bind(shape);
        var r = new RandomStream(21);
        var x = new float[batch * shape.Size];
        for (int i = 0; i < x.Length; i++) x[i] = ties ? MathF.Round((float)r.NextDouble() * 3) : (float)(r.NextDouble() * 2 - 1);
        int oh = height / 2, ow = width / 2, outputs = batch * channels * oh * ow;
        var y = new float[outputs];
        var dy = new float[outputs];
        for (int i = 0; i < dy.Length; i++) dy[i] = i + 1;
        var dx = new float[x.Length];
        var state = layer.CreateState(batch, 1);
        layer.Forward(new LayerPass(batch, true, state, [], 1), [], x, y);
        layer.Backward(new LayerPass(batch, true, state, [], 1), [], x, y, dy, dx, [], needInputGradient: true);
        var expectedDx = new float[x.Length];
        for (int pl = 0; pl < batch * channels; pl++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    int tl = pl * height * width + 2 * oy * width + 2 * ox;
                    int[] window = [tl, tl + 1, tl + width, tl + width + 1];
                    // the vector path's tie rule: max of each column (top wins), then left column wins
                    int left = x[window[2]] > x[window[0]] ? window[2] : window[0];
                    int right = x[window[3]] > x[window[1]] ? window[3] : window[1];
                    int best = x[right] > x[left] ? right : left;
                    int o = (pl * oh + oy) * ow + ox;
                    Assert.Equal(window.Max(i => x[i]), y[o]);
                    expectedDx[best] += dy[o];
                }
        Assert.Equal(expectedDx, dx);
    }

    [Fact]
    public void Flatten()
    {
        Check(new FlattenLayer(), new TensorShape(3, 2, 4, true), 3);
        Check(new FlattenLayer(), TensorShape.Flat(6), 2);
    }

    [Fact]
    public void DropoutTrainingAndInference()
    {
        Check(new DropoutLayer(0.5), TensorShape.Flat(40), 3);
        Check(new DropoutLayer(0.3), new TensorShape(2, 3, 3, true), 2, training: false);
    }

    [Fact]
    public void DropoutDropsAboutTheRateAndScalesSurvivors()
    {
        var layer = new DropoutLayer(0.25);
        layer.Bind(TensorShape.Flat(1000));
        var x = new float[4000];
        Array.Fill(x, 1f);
        var y = new float[4000];
        layer.Forward(new LayerPass(4, true, layer.CreateState(4, 3), [], 1), [], x, y);
        int zeros = y.Count(v => v == 0);
        Assert.InRange(zeros, 900, 1100);
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.75f) < 1e-6));
        layer.Forward(new LayerPass(4, false, layer.CreateState(4, 3), [], 1), [], x, y);
        Assert.All(y, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void DropoutMasksArePureFunctionsOfSeedAndBatchKey()
    {
        var layer = new DropoutLayer(0.5);
        layer.Bind(TensorShape.Flat(256));
        var x = new float[512];
        Array.Fill(x, 1f);
        float[] Mask(LayerState? state, ulong key)
        {
            var y = new float[512];
            layer.Forward(new LayerPass(2, true, state, [], 1, key), [], x, y);
            return y;
        }
        var state = layer.CreateState(2, 3);
        var first = Mask(state, 42);
        var other = Mask(state, 43);
        // The same batch key gives the same mask however many batches came before, and in another workspace with the same seed.
        Assert.Equal(first, Mask(state, 42));
        Assert.Equal(first, Mask(layer.CreateState(2, 3), 42));
        Assert.NotEqual(first, other);
        Assert.NotEqual(first, Mask(layer.CreateState(2, 4), 42)); // another worker's seed
        // Two keys' masks are independent: they agree on about half of the positions.
        int agree = first.Zip(other).Count(p => p.First == p.Second);
        Assert.InRange(agree, 200, 312);
        Assert.NotEqual(Network.BatchKey([1, 2, 3]), Network.BatchKey([1, 3, 2]));
        Assert.NotEqual(Network.BatchKey([1, 2, 3]), Network.BatchKey([1, 2, 3, 0]));
    }

    [Fact]
    public void Im2ColIsTheAdjointOfCol2Im()
    {
        // <im2col(x), c> == <x, col2im(c)> for stride 2 and padding 1
        int ch = 2, b = 3, h = 7, w = 6, k = 3, s = 2, p = 1;
        int oh = Im2Col.OutputSize(h, k, s, p), ow = Im2Col.OutputSize(w, k, s, p);
        var rng = new RandomStream(11);
        var x = Uniform(ch * b * h * w, rng);
        var c = Uniform(ch * k * k * b * oh * ow, rng);
        var col = new float[c.Length];
        var back = new float[x.Length];
        Im2Col.ImageToColumns(x, ch, b, h, w, k, k, s, p, col);
        Im2Col.ColumnsToImage(c, ch, b, h, w, k, k, s, p, back);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < c.Length; i++) lhs += (double)col[i] * c[i];
        for (int i = 0; i < x.Length; i++) rhs += (double)x[i] * back[i];
        Assert.Equal(lhs, rhs, 4);
    }

    [Fact]
    public void ConvMatchesDirectReference()
    {
        // one sample, 2 channels, 3 filters, k3 s2 p1 on 5x6, against a direct loop
        var layer = new Conv2dLayer(3, 3, 2, 1);
        var input = new TensorShape(2, 5, 6, true);
        var output = layer.Bind(input);
        var rng = new RandomStream(3);
        var x = Uniform(input.Size, rng);
        var w = Uniform(layer.ParameterCount, rng);
        var y = new float[output.Size];
        layer.Forward(new LayerPass(1, true, layer.CreateState(1, 0), new float[layer.SharedScratch(1)], 1), w, x, y);
        for (int f = 0; f < 3; f++)
            for (int oy = 0; oy < output.Height; oy++)
                for (int ox = 0; ox < output.Width; ox++)
                {
                    double s = w[3 * 18 + f];
                    for (int c = 0; c < 2; c++)
                        for (int i = 0; i < 3; i++)
                            for (int j = 0; j < 3; j++)
                            {
                                int iy = oy * 2 - 1 + i, ix = ox * 2 - 1 + j;
                                if (iy < 0 || iy >= 5 || ix < 0 || ix >= 6) continue;
                                s += (double)w[((f * 2 + c) * 3 + i) * 3 + j] * x[(c * 5 + iy) * 6 + ix];
                            }
                    Assert.Equal(s, y[(f * output.Height + oy) * output.Width + ox], 4);
                }
    }
}
