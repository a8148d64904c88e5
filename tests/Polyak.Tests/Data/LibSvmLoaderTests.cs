using Polyak.Data;
using Xunit;

namespace Polyak.Tests.Data;

/// <summary>LIBSVM / SVMlight text: parsing, densifying, class mapping, regression, and every bad-line error.</summary>
public sealed class LibSvmLoaderTests
{
    private static InvalidDataException Bad(Action a) => Assert.Throws<InvalidDataException>(a);

    [Fact]
    public void BinaryPlusMinusOneMapsToZeroOneAndDensifies()
    {
        using var t = new TempFolder();
        string p = t.WriteText("a.svm", "# header comment\n+1 1:0.5 3:2\n\n-1 2:-1.5 # trailing comment\n+1 qid:3 1:1e-1\r\n-1\n");
        var (train, test, desc) = LibSvmFile.Load(p, null, false, null, 0.25, 1);
        Assert.Equal(4, train.Count + test.Count);
        var rows = LibSvmFile.Parse(p);
        Assert.Equal(4, rows.Count);
        Assert.Equal(3, rows.MaxIndex);
        Assert.Equal([0L, 2, 3, 4, 4], rows.RowStart);
        Assert.Contains("-1->0, 1->1", desc);
        Assert.Equal(3, train.FeatureCount);
    }

    [Fact]
    public void DenseValuesAndLabelsAreExactWithTestFile()
    {
        using var t = new TempFolder();
        string p = t.WriteText("m.svm", "3 1:1 4:4\n7 2:2\n5 3:3\n");
        t.WriteText("m.svm.t", "7 4:-4\n3 1:9\n");
        var (train, test, desc) = DataCatalog.Load(p, null, 0.1, 1, cache: null);
        Assert.Equal(3, train.Count);
        Assert.Equal(2, test.Count);
        Assert.Equal(4, train.FeatureCount);
        Assert.Equal([1f, 0, 0, 4, 0, 2, 0, 0, 0, 0, 3, 0], train.Features);
        Assert.Equal([0, 2, 1], train.Labels!); // 3->0, 5->1, 7->2
        Assert.Equal([2, 0], test.Labels!);
        Assert.Equal([0f, 0, 0, -4, 9, 0, 0, 0], test.Features);
        Assert.Contains("3->0, 5->1, 7->2", desc);
    }

    [Fact]
    public void RegressionKeepsRealTargets()
    {
        using var t = new TempFolder();
        string p = t.WriteText("r.txt", "0.25 1:1\n-3.5 2:1\n1e2 1:2 2:2\n");
        var (train, test, _) = DataCatalog.Load(p + ",test=" + p, "libsvm-regression", 0.1, 1, cache: null);
        Assert.False(train.IsClassification);
        Assert.Equal([0.25f, -3.5f, 100f], train.Targets!);
        Assert.Equal(3, test.Count);
    }

    [Fact]
    public void FeaturesOptionFixesTheWidth()
    {
        using var t = new TempFolder();
        string p = t.WriteText("w.svm", "1 1:1\n0 2:1\n");
        var (train, _, _) = DataCatalog.Load(p + ",features=10", null, 0.5, 1, cache: null);
        Assert.Equal(10, train.FeatureCount);
        var e = Bad(() => DataCatalog.Load(p + ",features=1", null, 0.5, 1, cache: null));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("exceeds features=1", e.Message);
    }

    [Theory]
    [InlineData("1 2:1 1:1\n", "line 1", "index 1 comes after index 2")]
    [InlineData("1 2:1 2:1\n", "line 1", "index 2 repeats index 2")]
    [InlineData("1 1:1\n1 0:1\n", "line 2", "feature index 0 is not >= 1")]
    [InlineData("1 1:1\n1 -3:1\n", "line 2", "expected a positive integer feature index, found '-3'")]
    [InlineData("1 1:1\n1 x:1\n", "line 2", "found 'x'")]
    [InlineData("1 1:abc\n", "line 1", "expected a number after '1:', found 'abc'")]
    [InlineData("1 1:nan\n", "line 1", "not finite")]
    [InlineData("1 1:Infinity\n", "line 1", "not finite")]
    [InlineData("1 1:inf\n", "line 1", "expected a number after '1:', found 'inf'")]
    [InlineData("1 1:1e40\n", "line 1", "not finite")]
    [InlineData("1 1:1 5\n", "line 1, column 7", "expected INDEX:VALUE, found '5'")]
    [InlineData("abc 1:1\n", "line 1", "expected a numeric label, found 'abc'")]
    [InlineData("1:1 2:2\n", "line 1", "expected a label before the first INDEX:VALUE")]
    [InlineData("nan 1:1\n", "line 1", "not a finite number")]
    [InlineData("1 1:1\n0.5 1:2\n", "line 2", "label 0.5 is not an integer class label; use --format libsvm-regression")]
    [InlineData("1 1:1\n1 2:2\n", "", "all rows have the label 1")]
    [InlineData("# only comments\n\n", "", "no data rows")]
    [InlineData("1 1:1\n0 2000000000:1\n", "line 2", "more than the limit")]
    public void BadLinesNameFileLineAndProblem(string text, string where, string what)
    {
        using var t = new TempFolder();
        string p = t.WriteText("bad.svm", text);
        var e = Bad(() => LibSvmFile.Load(p, null, false, null, 0.5, 1));
        Assert.Contains(p, e.Message);
        Assert.Contains(where, e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void AbsurdRowsTimesDimensionIsRefusedBeforeDensifying()
    {
        using var t = new TempFolder();
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < 300; i++) sb.Append(i % 2).Append(" 1:1\n");
        sb.Append("1 1000000:1\n"); // 301 rows x 1e6 features = 3e8 > 2^28
        string p = t.WriteText("wide.svm", sb.ToString());
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Bad(() => LibSvmFile.Load(p, null, false, null, 0.5, 1));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
        Assert.Contains("line 301", e.Message);
        Assert.Contains("would densify", e.Message);
    }

    [Fact]
    public void OverlongLineIsRefused()
    {
        using var t = new TempFolder();
        string p = t.Write("long.svm", new byte[DataLimits.MaxLineBytes + 10]);
        var e = Bad(() => LibSvmFile.Parse(p));
        Assert.Contains("line 1", e.Message);
        Assert.Contains("longer than", e.Message);
    }

    [Fact]
    public void MissingTestFileIsAnArgumentError()
    {
        using var t = new TempFolder();
        string p = t.WriteText("a.svm", "1 1:1\n0 1:2\n");
        Assert.Throws<ArgumentException>(() => DataCatalog.Load(p + ",test=/nonexistent/x.t", null, 0.5, 1, cache: null));
    }

    [Fact]
    public void FormatIsDetectedFromExtensionAndContent()
    {
        using var t = new TempFolder();
        Assert.Equal(DataFormat.LibSvm, DataFormats.Detect(t.WriteText("a.libsvm", "1 1:1\n")));
        Assert.Equal(DataFormat.LibSvm, DataFormats.Detect(t.WriteText("a9a", "# c\n-1 3:1 11:1\n")));
        Assert.Equal(DataFormat.Csv, DataFormats.Detect(t.WriteText("table", "label,a\n1,2\n")));
        Assert.Equal(DataFormat.Cifar, DataFormats.Detect(t.Write("x.bin", [1])));
        Assert.Equal(DataFormat.Csv, DataFormats.Detect(t.WriteText("x.csv.gz", "")));
        Assert.Throws<ArgumentException>(() => DataFormats.Detect(t.WriteText("blob", "hello\n")));
        Assert.Throws<ArgumentException>(() => DataFormats.Detect(t.Path));
    }
}
