using Polyak.Data;

namespace Polyak.Tests.Engine;

public class DataTests
{
    [Fact]
    public void SyntheticDataIsDeterministicPerSeed()
    {
        var a = SyntheticData.Generate("synthetic:mixture,dim=8,n=100,test=10", 3);
        var b = SyntheticData.Generate("synthetic:mixture,dim=8,n=100,test=10", 3);
        var c = SyntheticData.Generate("synthetic:mixture,dim=8,n=100,test=10", 4);
        Assert.Equal(a.Train.Features, b.Train.Features);
        Assert.Equal(a.Train.Labels, b.Train.Labels);
        Assert.NotEqual(a.Train.Features, c.Train.Features);
    }

    [Fact]
    public void RegressionHasRequestedConditionNumber()
    {
        var (train, _, _) = SyntheticData.Generate("synthetic:regression,dim=6,n=60000,test=10,cond=50", 1);
        // Eigenvalues of the sample covariance via power iteration on E[xx^T] and its inverse-free Rayleigh bounds.
        int d = 6;
        var cov = new double[d, d];
        for (int i = 0; i < train.Count; i++)
        {
            var x = train.Row(i);
            for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) cov[a, b] += x[a] * x[b] / (double)train.Count;
        }
        var eig = JacobiEigenvalues(cov, d);
        double ratio = eig.Max() / eig.Min();
        Assert.InRange(ratio, 45, 55);
    }

    private static double[] JacobiEigenvalues(double[,] m, int n)
    {
        var a = (double[,])m.Clone();
        for (int sweep = 0; sweep < 100; sweep++)
        {
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-15) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                }
        }
        return Enumerable.Range(0, n).Select(i => a[i, i]).ToArray();
    }

    [Fact]
    public void SamplerCoversEveryRowOncePerEpochAndFastForwardsExactly()
    {
        var s = new BatchSampler(10, 5, 0);
        var seen = new int[10];
        var batch = new int[5];
        s.Next(batch); foreach (var i in batch) seen[i]++;
        s.Next(batch); foreach (var i in batch) seen[i]++;
        Assert.All(seen, c => Assert.Equal(1, c));
        var after1 = new int[7];
        s.Next(after1);
        foreach (long drawn in new long[] { 0, 3, 10, 20, 27 })
        {
            var reference = new BatchSampler(10, 5, 0);
            var skip = new int[drawn];
            reference.Next(skip);
            var t = new BatchSampler(10, 5, 0);
            t.FastForward(drawn);
            var x = new int[13]; var y = new int[13];
            reference.Next(x); t.Next(y);
            Assert.Equal(x, y);
        }
    }

    [Fact]
    public void DifferentGroupsDrawDifferentStreams()
    {
        var a = new BatchSampler(1000, 5, 0);
        var b = new BatchSampler(1000, 5, 1);
        var x = new int[20]; var y = new int[20];
        a.Next(x); b.Next(y);
        Assert.NotEqual(x, y);
    }

    [Theory]
    [InlineData("synthetic:nope", "unknown synthetic")]
    [InlineData("synthetic:mixture,dim=0", "dim")]
    [InlineData("synthetic:mixture,foo=3", "unknown option")]
    [InlineData("synthetic:regression,cond=abc", "key=number")]
    public void BadSyntheticSpecsAreRefusedClearly(string spec, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => DataCatalog.Load(spec, null, 0.1, 1));
        Assert.Contains(expected, ex.Message);
    }
}
