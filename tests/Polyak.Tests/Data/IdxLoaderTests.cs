using System.Buffers.Binary;
using Polyak.Data;
using Xunit;

namespace Polyak.Tests.Data;

/// <summary>IDX reader and IDX folder loading: good files (raw, gzip, cached) and every kind of bad file.</summary>
public sealed class IdxLoaderTests
{
    private static InvalidDataException Bad(Action a) => Assert.Throws<InvalidDataException>(a);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GoodFolderLoadsTrainAndTestWithUnitScaling(bool gzip)
    {
        using var t = new TempFolder();
        DataFixtures.WriteIdxFolder(t, 30, 12, gzip);
        var (train, test, desc) = DataCatalog.Load(t.Path, null, 0.1, 1, cache: null);
        Assert.Equal(30, train.Count);
        Assert.Equal(12, test.Count);
        Assert.Equal([1, 4, 3], train.InputShape);
        Assert.Equal(10, train.ClassCount);
        Assert.All(train.Features, v => Assert.InRange(v, 0f, 1f));
        byte[] raw = DataFixtures.IdxImages(30, 4, 3, 1);
        Assert.Equal(raw[16 + 5] / 255f, train.Features[5], 6);
        Assert.Equal(7, train.Labels![7]);
        Assert.Contains("30 train / 12 test", desc);
    }

    [Fact]
    public void StandardNormalisationHasZeroMeanUnitStd()
    {
        using var t = new TempFolder();
        DataFixtures.WriteIdxFolder(t, 50, 10, gzip: false);
        var (train, _, _) = DataCatalog.Load(t.Path + ",norm=standard", null, 0.1, 1, cache: null);
        double mean = train.Features.Average(v => (double)v);
        double var = train.Features.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -1e-4, 1e-4);
        Assert.InRange(var, 0.999, 1.001);
    }

    [Fact]
    public void FolderWithoutTestFilesHoldsOutTheTestFractionWithTheSeed()
    {
        using var t = new TempFolder();
        DataFixtures.WriteIdxFolder(t, 40, 0, gzip: false);
        var (a, at, _) = DataCatalog.Load(t.Path, null, 0.25, 7, cache: null);
        var (b, bt, _) = DataCatalog.Load(t.Path, null, 0.25, 7, cache: null);
        var (_, ct, _) = DataCatalog.Load(t.Path, null, 0.25, 8, cache: null);
        Assert.Equal(30, a.Count);
        Assert.Equal(10, at.Count);
        Assert.Equal(at.Features, bt.Features);
        Assert.NotEqual(at.Features, ct.Features);
    }

    [Fact]
    public void CacheIsHitOnSecondLoadAndCorruptCacheIsRebuilt()
    {
        using var t = new TempFolder();
        using var c = new TempFolder();
        string path = t.Write("train-images-idx3-ubyte.gz", DataFixtures.IdxImages(20, 5, 5, 3), gzip: true);
        var cache = new DecodedCache(c.Path);
        var first = IdxFile.Read(path, 3, cache);
        Assert.Equal("miss", cache.LastOutcome);
        var second = IdxFile.Read(path, 3, cache);
        Assert.Equal("hit", cache.LastOutcome);
        Assert.Equal(first.Data, second.Data);

        string entry = cache.EntryPath(path)!;
        var bytes = File.ReadAllBytes(entry);
        bytes[^3] ^= 0x40; // flip a payload bit: the checksum must catch it
        File.WriteAllBytes(entry, bytes);
        var third = IdxFile.Read(path, 3, cache);
        Assert.Equal("rebuilt", cache.LastOutcome);
        Assert.Equal(first.Data, third.Data);

        File.WriteAllBytes(entry, bytes.AsSpan(0, 20).ToArray()); // truncated cache
        Assert.Equal(first.Data, IdxFile.Read(path, 3, cache).Data);
        Assert.Equal("rebuilt", cache.LastOutcome);
        Assert.Equal("hit", Hit(path, cache));
    }

    private static string Hit(string path, DecodedCache cache)
    {
        IdxFile.Read(path, 3, cache);
        return cache.LastOutcome;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WrongMagicNamesFileAndExpectedMagic(bool gzip)
    {
        using var t = new TempFolder();
        var b = DataFixtures.IdxImages(3, 2, 2, 1);
        BinaryPrimitives.WriteInt32BigEndian(b, 0x801);
        string p = t.Write("x-idx3-ubyte", b, gzip);
        var e = Bad(() => IdxFile.ReadUncached(p, 3));
        Assert.Contains(p, e.Message);
        Assert.Contains("at byte 0", e.Message);
        Assert.Contains("expected IDX images magic 0x00000803, found 0x00000801", e.Message);
    }

    [Fact]
    public void UnsupportedElementTypeIsNamed()
    {
        using var t = new TempFolder();
        var b = DataFixtures.IdxImages(3, 2, 2, 1);
        b[2] = 0x0D;
        var e = Bad(() => IdxFile.ReadUncached(t.Write("f", b), 3));
        Assert.Contains("float32", e.Message);
    }

    [Fact]
    public void NegativeAndZeroDimensionsAreRejected()
    {
        using var t = new TempFolder();
        var b = DataFixtures.IdxImages(3, 2, 2, 1);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), -5);
        var e = Bad(() => IdxFile.ReadUncached(t.Write("neg", b), 3));
        Assert.Contains("neg", e.Message);
        Assert.Contains("at byte 8", e.Message);
        Assert.Contains("dimension 1 is negative (-5)", e.Message);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), 0);
        Assert.Contains("dimension 1 is 0", Bad(() => IdxFile.ReadUncached(t.Write("zero", b), 3)).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HugeDeclaredCountFailsBeforeAllocating(bool gzip)
    {
        using var t = new TempFolder();
        var b = DataFixtures.IdxImages(3, 28, 28, 1);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), int.MaxValue); // 2^31 images of 28x28: ~1.7e12 bytes
        string p = t.Write("huge", b, gzip);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Bad(() => IdxFile.ReadUncached(p, 3));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("supported maximum", e.Message);
        Assert.True(allocated < 8 << 20, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LargeButAllowedDeclaredSizeOnShortFileIsTruncationWithoutBigAllocation(bool gzip)
    {
        using var t = new TempFolder();
        var b = DataFixtures.IdxImages(3, 28, 28, 1);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), 2_000_000); // 1.5 GB declared, 2.3 KB present
        string p = t.Write("big", b, gzip);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Bad(() => IdxFile.ReadUncached(p, 3));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("truncated", e.Message);
        Assert.Contains(p, e.Message);
        Assert.True(allocated < 8 << 20, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedAndTrailingDataAreRejected(bool gzip)
    {
        using var t = new TempFolder();
        var b = DataFixtures.IdxImages(3, 2, 2, 1);
        var e = Bad(() => IdxFile.ReadUncached(t.Write("short", b[..^1], gzip), 3));
        Assert.Contains("truncated", e.Message);
        e = Bad(() => IdxFile.ReadUncached(t.Write("header", b[..10], gzip), 3));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("dimension 1", e.Message);
        e = Bad(() => IdxFile.ReadUncached(t.Write("long", [.. b, 7], gzip), 3));
        Assert.Contains("unexpected bytes after", e.Message);
    }

    [Fact]
    public void CorruptGzipNamesTheFile()
    {
        using var t = new TempFolder();
        var gz = DataFixtures.Gzip(DataFixtures.IdxImages(50, 8, 8, 1));
        gz[gz.Length / 2] ^= 0xFF;
        gz[gz.Length / 2 + 1] ^= 0xFF;
        string p = t.Write("bad.gz", gz);
        var e = Bad(() => IdxFile.ReadUncached(p, 3));
        Assert.Contains(p, e.Message);
    }

    [Fact]
    public void CountMismatchBetweenImagesAndLabelsIsNamed()
    {
        using var t = new TempFolder();
        t.Write("train-images-idx3-ubyte", DataFixtures.IdxImages(10, 2, 2, 1));
        t.Write("train-labels-idx1-ubyte", DataFixtures.IdxLabels(9, 10));
        var e = Bad(() => DataCatalog.Load(t.Path, null, 0.1, 1, cache: null));
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
        Assert.Contains("9 labels", e.Message);
        Assert.Contains("10 images", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeForNamedSetIsNamedWithOffset()
    {
        using var t = new TempFolder();
        string folder = Path.Combine(t.Path, "fashion-mnist");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte"), DataFixtures.IdxImages(10, 2, 2, 1));
        var labels = DataFixtures.IdxLabels(10, 10);
        labels[8 + 4] = 12;
        File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte"), labels);
        var e = Bad(() => DataCatalog.Load(folder, null, 0.1, 1, cache: null));
        Assert.Contains("at byte 12", e.Message);
        Assert.Contains("label 12 of item 4 is outside the expected range 0..9", e.Message);
    }

    [Fact]
    public void MissingNamedSetSaysHowToInstall()
    {
        var e = Assert.Throws<ArgumentException>(() => NamedDataSets.Load("mnist", PixelNormalization.Unit, 0.1, 1, null));
        Assert.Contains("looked in", e.Message);
        Assert.Contains("/usr/share/datasets/mnist", e.Message);
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
    }

    [Fact]
    public void UnknownFormatAndOptionsAreArgumentErrors()
    {
        using var t = new TempFolder();
        DataFixtures.WriteIdxFolder(t, 10, 5, gzip: false);
        Assert.Contains("unknown --format", Assert.Throws<ArgumentException>(() => DataCatalog.Load(t.Path, "parquet", 0.1, 1, null)).Message);
        Assert.Contains("unknown option(s) bogus", Assert.Throws<ArgumentException>(() => DataCatalog.Load(t.Path + ",bogus=1", null, 0.1, 1, null)).Message);
        Assert.Contains("norm=weird", Assert.Throws<ArgumentException>(() => DataCatalog.Load(t.Path + ",norm=weird", null, 0.1, 1, null)).Message);
    }

    [Fact]
    public void SyntheticStillWorks()
    {
        var (train, test, _) = DataCatalog.Load("synthetic:binary,n=100,test=20", null, 0.1, 1);
        Assert.Equal(100, train.Count);
        Assert.Equal(20, test.Count);
    }
}
