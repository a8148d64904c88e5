using Polyak.Dashboard;

namespace Polyak.Tests.Dashboard;

/// <summary>The dashboard's parts without a browser: safe id resolution, reading a curve being written, chart points and axes.</summary>
public sealed class DashboardPartsTests
{
    [Fact]
    public void IdsResolveOnlyToFoldersInsideTheRoot()
    {
        string root = TestSupport.TempDir("catalog");
        Directory.CreateDirectory(Path.Combine(root, "a", "b"));
        Directory.CreateDirectory(root + "-sibling");
        var catalog = new RunCatalog(root);
        Assert.Equal(Path.Combine(root, "a", "b"), catalog.Resolve("a/b"));
        Assert.Equal(Path.GetFullPath(root), catalog.Resolve("."));
        Assert.Null(catalog.Resolve(".."));
        Assert.Null(catalog.Resolve("a/../../"));
        Assert.Null(catalog.Resolve("../" + Path.GetFileName(root) + "-sibling")); // a prefix of the root's name is not inside it
        Assert.Null(catalog.Resolve("/etc"));
        Assert.Null(catalog.Resolve("missing"));
        Assert.Null(catalog.Resolve(""));
        Assert.Equal("a/b", catalog.Id(Path.Combine(root, "a", "b")));
    }

    [Fact]
    public void ACurveBeingWrittenIsReadUpToItsLastCompleteLine()
    {
        string dir = TestSupport.TempDir("series");
        File.WriteAllText(Path.Combine(dir, "curve.csv"),
            "update,wall_seconds,simulated_seconds,loss,accuracy,momentum,held_out_accuracy,excluded_seconds\n0,0,,2.3,0.1,0.9,,\n10,0.5,,1.7,0.4,0.9,,\n20,1.0,,1.");
        var s = RunSeries.Read(dir);
        Assert.Equal(2, s.Points);
        Assert.Equal([0.0, 10.0], s.Update);
        Assert.Equal([2.3, 1.7], s.Loss);
        Assert.True(double.IsNaN(s.Simulated[0]));
        Assert.False(s.IsSimulated);
        Assert.Equal([0.0, 0.5], s.Time());
    }

    [Fact]
    public void AChartCountsItsFinitePointsPerSeries()
    {
        string svg = SvgChart.Lines("t", "x", "y",
        [
            new ChartSeries("a", [0, 1, 2, 3], [1, double.NaN, 2, double.PositiveInfinity]),
            new ChartSeries("b", [0, 1], [0.5, 0.7]),
        ]);
        Assert.Contains("data-series=\"a\" data-points=\"2\"", svg);
        Assert.Contains("data-series=\"b\" data-points=\"2\"", svg);
        Assert.Contains("no points yet", SvgChart.Lines("t", "x", "y", [new ChartSeries("a", [], [])]));
        Assert.Contains("data-points=\"3\"", SvgChart.Bars("t", "x", "y", "bars", [0.5, 0.3, 0.2]));
    }

    [Theory]
    [InlineData(0, 1, 0.2)]
    [InlineData(0, 7431, 2000)]
    [InlineData(0.37, 2.31, 0.5)]
    [InlineData(-0.3, 0.9, 0.2)]
    public void AxisTicksAreNiceAndCoverTheData(double min, double max, double step)
    {
        var (lo, hi, ticks) = SvgChart.Axis(min, max);
        Assert.True(lo <= min && hi >= max, $"[{lo}, {hi}] does not cover [{min}, {max}]");
        Assert.Equal(step, ticks[1] - ticks[0], 9);
        Assert.InRange(ticks.Length, 4, 9);
    }
}
