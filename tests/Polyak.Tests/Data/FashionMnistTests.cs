using System.Diagnostics;
using Polyak.Data;
using Xunit;
using Xunit.Abstractions;

namespace Polyak.Tests.Data;

/// <summary>The real Fashion-MNIST from Debian's dataset-fashion-mnist package (skipped when it is not installed).</summary>
public sealed class FashionMnistTests(ITestOutputHelper output)
{
    private const string Folder = "/usr/share/datasets/fashion-mnist";

    [SkippableFashionMnistFact]
    public void LoadsSixtyThousandTrainAndTenThousandTestImages()
    {
        using var c = new TempFolder();
        var cache = new DecodedCache(c.Path);
        var sw = Stopwatch.StartNew();
        var (train, test, desc) = DataCatalog.Load("fashion-mnist", null, 0.1, 1, cache);
        double first = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var (train2, _, _) = DataCatalog.Load("fashion-mnist", null, 0.1, 1, cache);
        double second = sw.Elapsed.TotalSeconds;
        output.WriteLine($"{desc}; first load {first:F3} s (decompress + cache write), cached load {second:F3} s");

        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal([1, 28, 28], train.InputShape);
        Assert.Equal(10, train.ClassCount);
        Assert.All(train.Labels!, y => Assert.InRange(y, 0, 9));
        Assert.All(test.Labels!, y => Assert.InRange(y, 0, 9));
        Assert.Equal(10, train.Labels!.Distinct().Count());
        Assert.Equal(6000, train.Labels!.Count(y => y == 0)); // Fashion-MNIST is balanced
        Assert.InRange(train.Features.Max(), 0.99f, 1f);
        Assert.Equal(train.Features, train2.Features);
        // Wall time on a shared 2-core machine is noisy; bench/Polyak.Bench `data-load` measures it properly.
        Assert.True(second < 20.0, $"cached load took {second:F3} s");
    }

    /// <summary>A fact skipped with a reason when the Debian package is not installed.</summary>
    private sealed class SkippableFashionMnistFactAttribute : FactAttribute
    {
        public SkippableFashionMnistFactAttribute()
        {
            if (!File.Exists(Path.Combine(Folder, "train-images-idx3-ubyte.gz")))
                Skip = $"Fashion-MNIST is not installed in {Folder}: run `apt-get install dataset-fashion-mnist` (CI's .ci/run does)";
        }
    }
}
