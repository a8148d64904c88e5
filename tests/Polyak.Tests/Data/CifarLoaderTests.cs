using Polyak.Data;
using Xunit;

namespace Polyak.Tests.Data;

/// <summary>CIFAR-10 binary batches: good folders and files, and bad ones.</summary>
public sealed class CifarLoaderTests
{
    private static InvalidDataException Bad(Action a) => Assert.Throws<InvalidDataException>(a);

    [Fact]
    public void FolderWithBatchesGivesOfficialSplitAndShape()
    {
        using var t = new TempFolder();
        for (int k = 1; k <= 5; k++) t.Write($"data_batch_{k}.bin", DataFixtures.CifarBatch(4, k));
        t.Write("test_batch.bin", DataFixtures.CifarBatch(3, 9));
        var (train, test, desc) = DataCatalog.Load(t.Path, null, 0.1, 1, cache: null);
        Assert.Equal(20, train.Count);
        Assert.Equal(3, test.Count);
        Assert.Equal([3, 32, 32], train.InputShape);
        Assert.Equal(10, train.ClassCount);
        var b1 = DataFixtures.CifarBatch(4, 1);
        Assert.Equal(b1[1 + 1024] / 255f, train.Features[1024], 6); // first green pixel of image 0
        Assert.Equal(b1[3073 + 1] / 255f, train.Features[3072], 6); // image 1 starts after 3072 features
        Assert.Equal([0, 1, 2, 3, 0, 1], train.Labels!.Take(6));
        Assert.Contains("5 batches", desc);
    }

    [Fact]
    public void ExtractedTarballSubfolderIsFound()
    {
        using var t = new TempFolder();
        Directory.CreateDirectory(t.File("cifar-10-batches-bin"));
        t.Write("cifar-10-batches-bin/data_batch_1.bin", DataFixtures.CifarBatch(5, 1));
        t.Write("cifar-10-batches-bin/test_batch.bin", DataFixtures.CifarBatch(2, 2));
        var (train, test, _) = DataCatalog.Load(t.Path, null, 0.1, 1, cache: null);
        Assert.Equal(5, train.Count);
        Assert.Equal(2, test.Count);
    }

    [Fact]
    public void SingleFileGetsHeldOutSplitAndStandardisation()
    {
        using var t = new TempFolder();
        string p = t.Write("batch.bin", DataFixtures.CifarBatch(20, 3));
        var (train, test, _) = DataCatalog.Load(p + ",norm=standard", null, 0.25, 5, cache: null);
        Assert.Equal(15, train.Count);
        Assert.Equal(5, test.Count);
        Assert.Contains(train.Features, v => v < 0);
    }

    [Fact]
    public void GzipBatchIsRead()
    {
        using var t = new TempFolder();
        string p = t.Write("batch.bin.gz", DataFixtures.CifarBatch(6, 3), gzip: true);
        var (train, test, _) = DataCatalog.Load(p, null, 0.5, 5, cache: null);
        Assert.Equal(6, train.Count + test.Count);
    }

    [Fact]
    public void TruncatedRecordIsNamedWithOffset()
    {
        using var t = new TempFolder();
        var b = DataFixtures.CifarBatch(3, 1);
        string p = t.Write("data_batch_1.bin", b[..^100]);
        var e = Bad(() => CifarBinary.ReadBatch(p));
        Assert.Contains(p, e.Message);
        Assert.Contains($"at byte {2 * 3073}", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Cifar100LengthGetsAHint()
    {
        using var t = new TempFolder();
        string p = t.Write("x.bin", new byte[3074 * 5]);
        Assert.Contains("CIFAR-100", Bad(() => CifarBinary.ReadBatch(p)).Message);
    }

    [Fact]
    public void EmptyFileAndBadLabelAreRejected()
    {
        using var t = new TempFolder();
        Assert.Contains("empty", Bad(() => CifarBinary.ReadBatch(t.Write("e.bin", []))).Message);
        var b = DataFixtures.CifarBatch(3, 1);
        b[2 * 3073] = 10;
        var e = Bad(() => CifarBinary.ReadBatch(t.Write("l.bin", b)));
        Assert.Contains($"at byte {2 * 3073}", e.Message);
        Assert.Contains("label 10 of record 2 is outside 0..9", e.Message);
    }

    [Fact]
    public void FolderWithoutTrainBatchesIsNamed()
    {
        using var t = new TempFolder();
        t.Write("test_batch.bin", DataFixtures.CifarBatch(2, 2));
        var e = Bad(() => DataCatalog.Load(t.Path, null, 0.1, 1, cache: null));
        Assert.Contains("no CIFAR-10 training batches", e.Message);
    }
}
