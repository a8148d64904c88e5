using Polyak.Data;
using Xunit;

namespace Polyak.Tests.Data;

/// <summary>CSV tables: header detection, label column choice, text classes, regression, and bad rows.</summary>
public sealed class CsvLoaderTests
{
    private static InvalidDataException Bad(Action a) => Assert.Throws<InvalidDataException>(a);

    [Fact]
    public void HeaderWithNamedLabelColumnAnywhere()
    {
        using var t = new TempFolder();
        string p = t.WriteText("d.csv", "a,label,b\n1.5,1,2\n3,0,\"4\"\n5,1,6\n-1,0,0\n");
        var (train, test, desc) = DataCatalog.Load(p + $",test={p}", null, 0.5, 1, cache: null);
        Assert.Equal(2, train.FeatureCount);
        Assert.Equal([1.5f, 2, 3, 4, 5, 6, -1, 0], train.Features);
        Assert.Equal([1, 0, 1, 0], train.Labels!);
        Assert.Equal(4, test.Count);
        Assert.Contains("label column 'label'", desc);
    }

    [Fact]
    public void NoHeaderMeansFirstColumnIsTheLabel()
    {
        using var t = new TempFolder();
        string p = t.WriteText("d.csv", "2,1,1\n4,2,2\n2,3,3\n6,4,4\n");
        var (train, test, desc) = DataCatalog.Load(p, null, 0.25, 1, cache: null);
        Assert.Equal(3, train.Count);
        Assert.Equal(1, test.Count);
        Assert.Equal(3, train.ClassCount);
        Assert.Contains("2->0, 4->1, 6->2", desc);
    }

    [Fact]
    public void TextClassesAndRegression()
    {
        using var t = new TempFolder();
        string p = t.WriteText("iris.csv", "x,y,species\n1,2,setosa\n3,4,virginica\n5,6,setosa\n7,8,versicolor\n");
        var (train, _, desc) = DataCatalog.Load(p + ",label=species,test=" + p, null, 0.25, 1, cache: null);
        Assert.Equal([0, 2, 0, 1], train.Labels!);
        Assert.Contains("setosa->0", desc);
        string r = t.WriteText("r.csv", "target,x\n0.5,1\n-2.25,2\n");
        var (reg, _, _) = DataCatalog.Load(r + ",test=" + r, "csv-regression", 0.5, 1, cache: null);
        Assert.Equal([0.5f, -2.25f], reg.Targets!);
    }

    [Theory]
    [InlineData("label,a\n1,2\n0,3,4\n", "line 3", "expected 2 comma-separated fields")]
    [InlineData("label,a\n1,2\n0,x\n", "line 3", "field 2 ('a'): expected a number, found 'x'")]
    [InlineData("label,a\n1,2\n0,NaN\n", "line 3", "not finite")]
    [InlineData("label,a\n1,2\n0,-Infinity\n", "line 3", "not finite")]
    [InlineData("label,a\n1,2\n,3\n", "line 3", "empty label")]
    [InlineData("label,a\n1,2\n0.5,3\n", "line 3", "not an integer class label")]
    [InlineData("label,a\n\"1,2\n", "line 2", "quoted field is not closed")]
    [InlineData("justone\n1\n", "line 1", "at least 2")]
    [InlineData("label,a\n", "", "no data rows")]
    [InlineData("label,a\n1,1\n1,2\n", "", "all rows have the label '1'")]
    public void BadRowsNameFileLineAndProblem(string text, string where, string what)
    {
        using var t = new TempFolder();
        string p = t.WriteText("bad.csv", text);
        var e = Bad(() => CsvFile.Load(p, null, false, null, null, 0.5, 1));
        Assert.Contains(p, e.Message);
        Assert.Contains(where, e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void UnknownLabelColumnIsNamed()
    {
        using var t = new TempFolder();
        string p = t.WriteText("d.csv", "a,b\n1,2\n0,3\n");
        var e = Bad(() => DataCatalog.Load(p + ",label=zzz", null, 0.5, 1, cache: null));
        Assert.Contains("no column 'zzz'", e.Message);
    }
}
