using Polyak.Numerics;
using Xunit;

namespace Polyak.Tests.Numerics;

/// <summary>GEMM against a naive double-precision reference on odd shapes, every transpose and every kernel this machine runs.</summary>
public sealed class GemmTests
{
    /// <summary>The kernels this machine really runs: each is tested, and none stands in for another.</summary>
    public static TheoryData<GemmKernel> Kernels => new(Gemm.AvailableKernels);

    private static float[] Random(int n, ulong seed)
    {
        var r = new RandomStream(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(r.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>Reference C = alpha op(A) op(B) + beta C in double.</summary>
    private static float[] Reference(bool ta, bool tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        var r = (float[])c.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                r[i * ldc + j] = (float)(alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j]));
            }
        return r;
    }

    private static void Check(GemmKernel kernel, bool ta, bool tb, int m, int n, int k, float alpha, float beta, int pad, int threads = 1)
    {
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        var a = Random(Math.Max(1, aRows * lda), 1);
        var b = Random(Math.Max(1, bRows * ldb), 2);
        var c = Random(Math.Max(1, m * ldc), 3);
        var expected = Reference(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Gemm.Multiply(kernel, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
        double tol = 1e-5 * Math.Max(1, k) + 1e-5;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float e = expected[i * ldc + j], g = c[i * ldc + j];
                Assert.True(Math.Abs(e - g) <= tol * (1 + Math.Abs(e)),
                    $"{kernel} ta={ta} tb={tb} m={m} n={n} k={k}: C[{i},{j}] = {g}, expected {e}");
            }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void OddShapesAllTransposes(GemmKernel kernel)
    {
        int[][] shapes = [[1, 1, 1], [3, 5, 7], [13, 37, 29], [9, 33, 300], [150, 70, 17], [31, 65, 513], [7, 3100, 5]];
        foreach (var s in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    Check(kernel, ta, tb, s[0], s[1], s[2], 1f, 0f, pad: 0);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void AlphaBetaAndStrides(GemmKernel kernel)
    {
        Check(kernel, false, true, 17, 19, 23, 0.5f, 1f, pad: 3);
        Check(kernel, true, false, 17, 19, 23, -2f, 0.25f, pad: 5);
        Check(kernel, true, true, 40, 50, 260, 1f, 1f, pad: 1);
    }

    [Fact]
    public void ZeroDepthScalesC()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Multiply(false, false, 2, 2, 0, 1f, [], 1, [], 2, 0.5f, c, 2);
        Assert.Equal([0.5f, 1f, 1.5f, 2f], c);
    }

    [Fact]
    public void TwoThreadsMatchesReference()
    {
        Check(Gemm.DefaultKernel, false, false, 200, 300, 100, 1f, 0f, pad: 0, threads: 2);
        Check(Gemm.DefaultKernel, true, false, 300, 70, 120, 1f, 1f, pad: 2, threads: 2);
    }

    [Fact]
    public void ConcurrentTwoThreadCallersShareTheHelperSafely()
    {
        // several callers race for the one helper thread; losers compute alone, all must be right
        Parallel.For(0, 6, i => Check(Gemm.DefaultKernel, i % 2 == 0, false, 150 + i, 170, 90, 1f, 0f, pad: 0, threads: 2));
    }

    [Fact]
    public void UnavailableKernelThrowsElseAllThreeKernelsAreAvailable()
    {
        var all = Enum.GetValues<GemmKernel>();
        var missing = all.Except(Gemm.AvailableKernels).ToArray();
        Assert.Equal(Gemm.AvailableKernels[^1], Gemm.DefaultKernel);
        Assert.Equal(GemmKernel.Scalar, Gemm.AvailableKernels[0]);
        if (missing.Length == 0)
        {
            // This machine must then really have every kernel: in order, each available by the one rule.
            Assert.Equal(all, Gemm.AvailableKernels);
            Assert.All(all, k => Assert.True(Gemm.IsAvailable(k), k.ToString()));
            Assert.Equal(GemmKernel.Vector512, Gemm.DefaultKernel);
            return;
        }
        foreach (var kernel in missing)
        {
            Assert.False(Gemm.IsAvailable(kernel));
            var c = new float[4];
            var ex = Assert.Throws<PlatformNotSupportedException>(() =>
                Gemm.Multiply(kernel, false, false, 2, 2, 2, 1f, new float[4], 2, new float[4], 2, 0f, c, 2));
            Assert.Contains($"the {kernel} kernel", ex.Message);
            Assert.Contains("available kernels: " + string.Join(", ", Gemm.AvailableKernels), ex.Message);
        }
    }

    [Fact]
    public void UndefinedKernelIsRefused()
        => Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply((GemmKernel)7, false, false, 1, 1, 1, 1f, new float[1], 1, new float[1], 1, 0f, new float[1], 1));

    [Fact]
    public void RejectsShortSpans()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 4, 4, 4, 1f, new float[15], 4, new float[16], 4, 0f, new float[16], 4));
        Assert.Contains("A needs 16", ex.Message);
    }

    /// <summary>Every vector kernel this machine runs, for the bit-equality test against the scalar kernel.</summary>
    public static TheoryData<GemmKernel> VectorKernels => new(Gemm.AvailableKernels.Where(k => k != GemmKernel.Scalar));

    /// <summary>
    /// Every kernel variant this host supports gives exactly the scalar kernel's result, bit for bit: the same fused
    /// multiply-adds in the same order over the same depth blocks. The shapes cover every row remainder of both vector
    /// tiles (m mod 6 and m mod 8 from 0 to 7), ragged column slivers, depth tails of the 8 x 8 transposes, equal depth
    /// blocks (k = 800 = 4 x 200), strides that are and are not multiples of 4 KiB (in-place and packed B), beta 0
    /// (tiles stored) and beta 1 or 0.25 (tiles added), and the two-thread split.
    /// </summary>
    [Theory]
    [MemberData(nameof(VectorKernels))]
    public void EveryKernelVariantEqualsTheScalarKernelBitForBit(GemmKernel kernel)
    {
        var shapes = new (int M, int N, int K)[]
        {
            (1, 1, 1), (5, 17, 9), (7, 33, 15), (13, 40, 25), (23, 47, 64), (31, 65, 513), (40, 25, 300),
            (64, 192, 800), (32, 200, 25), (150, 70, 17), (149, 19, 41),
        };
        int cases = 0;
        foreach (var (m, n, k) in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (var (alpha, beta, pad) in new[] { (1f, 0f, 0), (0.5f, 1f, 3), (-2f, 0.25f, 1024) })
                        foreach (int threads in new[] { 1, 2 })
                        {
                            int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
                            int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
                            var a = Random(aRows * lda, 11);
                            var b = Random(bRows * ldb, 12);
                            var c0 = Random(m * ldc, 13);
                            var expected = (float[])c0.Clone();
                            var actual = (float[])c0.Clone();
                            Gemm.Multiply(GemmKernel.Scalar, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc, 1);
                            Gemm.Multiply(kernel, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc, threads);
                            for (int i = 0; i < actual.Length; i++)
                                if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                                    Assert.Fail($"{kernel} ta={ta} tb={tb} m={m} n={n} k={k} alpha={alpha} beta={beta} pad={pad} threads={threads}: "
                                        + $"element {i} (row {i / ldc}, column {i % ldc}) is {actual[i]:R}, the scalar kernel gives {expected[i]:R}");
                            cases++;
                        }
        Assert.Equal(shapes.Length * 4 * 3 * 2, cases);
    }

    /// <summary>Bit equality must be able to fail: a product that differs in one input element differs from the scalar result.</summary>
    [Fact]
    public void BitEqualityDetectsAOneElementChange()
    {
        var a = Random(64 * 800, 11);
        var b = Random(800 * 192, 12);
        var expected = new float[64 * 192];
        var actual = new float[64 * 192];
        Gemm.Multiply(GemmKernel.Scalar, false, false, 64, 192, 800, 1f, a, 800, b, 192, 0f, expected, 192);
        b[799 * 192 + 191] += 1e-3f;
        Gemm.Multiply(Gemm.DefaultKernel, false, false, 64, 192, 800, 1f, a, 800, b, 192, 0f, actual, 192);
        int differing = Enumerable.Range(0, actual.Length).Count(i => actual[i] != expected[i]);
        Assert.Equal(64, differing); // exactly column 191 of every row
    }
}
