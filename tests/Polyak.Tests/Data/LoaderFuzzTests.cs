using System.Diagnostics;
using Polyak.Data;
using Xunit;
using Xunit.Abstractions;

namespace Polyak.Tests.Data;

/// <summary>
/// Fuzz-style tests with fixed seeds: thousands of random truncations, bit flips, hostile header sizes, junk tokens
/// and chunk edits over every loader. Each case must end in a clean load or one clear error naming the file, within
/// a time limit (no hang) and an allocation bound (no unbounded allocation). The case counts are printed.
/// </summary>
public sealed class LoaderFuzzTests(ITestOutputHelper output)
{
    private const int CasesPerInput = 400;

    private void Fuzz(string format, byte[] valid, int seed, Action<byte[]> writeAndLoad, string mustName, int cases = CasesPerInput)
    {
        int loaded = 0, rejected = 0;
        var sw = Stopwatch.StartNew();
        HostileInput.WithinSeconds(120, () =>
        {
            var rng = new Random(seed);
            for (int i = 0; i < cases; i++)
            {
                var m = Mutation.Draw(rng);
                var bytes = m.Apply(valid);
                if (rng.Next(4) == 0) bytes = Mutation.Draw(rng).Apply(bytes); // sometimes two mutations
                if (HostileInput.Check(() => writeAndLoad(bytes), mustName, $"{format} case {i} (seed {seed}, {m})")) loaded++;
                else rejected++;
            }
        });
        output.WriteLine($"{format}: {cases} cases ({rejected} rejected with a clear error, {loaded} still valid) in {sw.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(cases, loaded + rejected);
        Assert.True(rejected > cases / 4, $"{format}: only {rejected} of {cases} mutations were rejected; is the fuzzer effective?");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IdxImagesFile(bool gzip)
    {
        using var t = new TempFolder();
        var valid = DataFixtures.IdxImages(20, 6, 5, 1);
        string p = t.File("train-images-idx3-ubyte" + (gzip ? ".gz" : ""));
        Fuzz($"IDX images{(gzip ? " (gzip)" : "")}", valid, gzip ? 112 : 101, b => { File.WriteAllBytes(p, gzip ? DataFixtures.Gzip(b) : b); IdxFile.ReadUncached(p, 3); }, p);
    }

    [Fact]
    public void IdxCompressedBytes()
    {
        using var t = new TempFolder();
        var valid = DataFixtures.Gzip(DataFixtures.IdxImages(20, 6, 5, 1));
        string p = t.File("x-idx3-ubyte.gz");
        Fuzz("IDX gzip stream bytes", valid, 102, b => { File.WriteAllBytes(p, b); IdxFile.ReadUncached(p, 3); }, p);
    }

    [Fact]
    public void IdxFolderLabels()
    {
        using var t = new TempFolder();
        DataFixtures.WriteIdxFolder(t, 20, 8, gzip: false);
        string p = t.File("t10k-labels-idx1-ubyte");
        var valid = File.ReadAllBytes(p);
        Fuzz("IDX folder (test labels)", valid, 103, b => { File.WriteAllBytes(p, b); DataCatalog.Load(t.Path, null, 0.2, 1, cache: null); }, t.Path);
    }

    [Fact]
    public void IdxFolderImagesThroughCache()
    {
        using var t = new TempFolder();
        using var c = new TempFolder();
        DataFixtures.WriteIdxFolder(t, 20, 8, gzip: true);
        string p = t.File("train-images-idx3-ubyte.gz");
        var valid = DataFixtures.IdxImages(20, 4, 3, 1);
        var cache = new DecodedCache(c.Path);
        Fuzz("IDX folder (gzip train images, cached)", valid, 104, b =>
        {
            File.WriteAllBytes(p, DataFixtures.Gzip(b));
            File.SetLastWriteTimeUtc(p, DateTime.UtcNow.AddTicks(Random.Shared.Next()));
            DataCatalog.Load(t.Path, null, 0.2, 1, cache);
        }, t.Path);
    }

    [Fact]
    public void CifarBatch()
    {
        using var t = new TempFolder();
        var valid = DataFixtures.CifarBatch(4, 1);
        string p = t.File("data_batch_1.bin");
        Fuzz("CIFAR-10 batch", valid, 105, b => { File.WriteAllBytes(p, b); DataCatalog.Load(p, null, 0.25, 1, cache: null); }, p);
    }

    [Fact]
    public void CifarFolder()
    {
        using var t = new TempFolder();
        t.Write("data_batch_1.bin", DataFixtures.CifarBatch(3, 1));
        var valid = DataFixtures.CifarBatch(2, 2);
        string p = t.File("test_batch.bin");
        Fuzz("CIFAR-10 folder (test batch)", valid, 106, b => { File.WriteAllBytes(p, b); DataCatalog.Load(t.Path, null, 0.25, 1, cache: null); }, t.Path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LibSvm(bool regression)
    {
        using var t = new TempFolder();
        var valid = System.Text.Encoding.UTF8.GetBytes(DataFixtures.LibSvm(12, 6, 3, regression));
        string p = t.File("data.svm");
        Fuzz($"LIBSVM{(regression ? " regression" : "")}", valid, regression ? 108 : 107,
            b => { File.WriteAllBytes(p, b); DataCatalog.Load(p, regression ? "libsvm-regression" : null, 0.25, 1, cache: null); }, p);
    }

    [Fact]
    public void LibSvmGzip()
    {
        using var t = new TempFolder();
        var valid = System.Text.Encoding.UTF8.GetBytes(DataFixtures.LibSvm(12, 6, 4));
        string p = t.File("data.svm.gz");
        Fuzz("LIBSVM (gzip)", valid, 109, b => { File.WriteAllBytes(p, DataFixtures.Gzip(b)); DataCatalog.Load(p, null, 0.25, 1, cache: null); }, p);
    }

    [Fact]
    public void Csv()
    {
        using var t = new TempFolder();
        var sb = new System.Text.StringBuilder("a,b,label,c\n");
        var rng = new Random(5);
        for (int i = 0; i < 12; i++) sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"{rng.NextDouble():0.##},{rng.Next(100)},{i % 3},\"{rng.NextDouble():0.###}\"\n");
        var valid = System.Text.Encoding.UTF8.GetBytes(sb.ToString());
        string p = t.File("data.csv");
        Fuzz("CSV", valid, 110, b => { File.WriteAllBytes(p, b); DataCatalog.Load(p, null, 0.25, 1, cache: null); }, p);
    }

    [Fact]
    public void CacheFileCorruptionAlwaysRebuildsTheSameData()
    {
        using var t = new TempFolder();
        using var c = new TempFolder();
        string p = t.Write("train-images-idx3-ubyte.gz", DataFixtures.IdxImages(10, 5, 4, 9), gzip: true);
        var cache = new DecodedCache(c.Path);
        var truth = IdxFile.Read(p, 3, cache).Data;
        string entry = cache.EntryPath(p)!;
        var valid = File.ReadAllBytes(entry);
        var rng = new Random(111);
        int cases = 300, differentOutcomes = 0;
        HostileInput.WithinSeconds(60, () =>
        {
            for (int i = 0; i < cases; i++)
            {
                var m = Mutation.Draw(rng);
                var bad = m.Apply(valid);
                File.WriteAllBytes(entry, bad);
                var got = IdxFile.Read(p, 3, cache);
                Assert.True(truth.AsSpan().SequenceEqual(got.Data), $"cache case {i} ({m}) returned wrong data");
                if (cache.LastOutcome != "hit") differentOutcomes++;
            }
        });
        output.WriteLine($"decoded cache: {cases} corrupted cache files, {differentOutcomes} detected and rebuilt, all returned the true data");
        Assert.True(differentOutcomes > cases / 2);
    }
}
