using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Polyak.Tests.Data;

/// <summary>Builds small data files in the real formats (IDX, CIFAR-10 binary, LIBSVM, CSV) in a temporary folder.</summary>
public sealed class TempFolder : IDisposable
{
    /// <summary>Creates a fresh folder under the system temp path.</summary>
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "polyak-data-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>Full path of <paramref name="name"/> inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes bytes (gzip-compressed when <paramref name="gzip"/>) and returns the path.</summary>
    public string Write(string name, byte[] bytes, bool gzip = false)
    {
        string p = File(name);
        System.IO.File.WriteAllBytes(p, gzip ? DataFixtures.Gzip(bytes) : bytes);
        return p;
    }

    /// <summary>Writes text and returns the path.</summary>
    public string WriteText(string name, string text)
    {
        string p = File(name);
        System.IO.File.WriteAllText(p, text);
        return p;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Generators of valid files, deterministic for a seed.</summary>
public static class DataFixtures
{
    /// <summary>gzip of <paramref name="bytes"/>.</summary>
    public static byte[] Gzip(byte[] bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(bytes);
        return ms.ToArray();
    }

    /// <summary>An IDX images file: magic 0x803, count, rows, cols, then pixels.</summary>
    public static byte[] IdxImages(int count, int rows, int cols, int seed)
    {
        var b = new byte[16 + count * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(b, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(12), cols);
        new Random(seed).NextBytes(b.AsSpan(16));
        return b;
    }

    /// <summary>An IDX labels file: magic 0x801, count, then labels (i mod classes).</summary>
    public static byte[] IdxLabels(int count, int classes)
    {
        var b = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(b, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), count);
        for (int i = 0; i < count; i++) b[8 + i] = (byte)(i % classes);
        return b;
    }

    /// <summary>Writes a full MNIST-style folder (train + t10k), gzip or raw.</summary>
    public static void WriteIdxFolder(TempFolder t, int train, int test, bool gzip, int rows = 4, int cols = 3)
    {
        string gz = gzip ? ".gz" : "";
        t.Write("train-images-idx3-ubyte" + gz, IdxImages(train, rows, cols, 1), gzip);
        t.Write("train-labels-idx1-ubyte" + gz, IdxLabels(train, 10), gzip);
        if (test > 0)
        {
            t.Write("t10k-images-idx3-ubyte" + gz, IdxImages(test, rows, cols, 2), gzip);
            t.Write("t10k-labels-idx1-ubyte" + gz, IdxLabels(test, 10), gzip);
        }
    }

    /// <summary>A CIFAR-10 batch: per record 1 label byte (i mod 10) then 3072 pixel bytes.</summary>
    public static byte[] CifarBatch(int records, int seed)
    {
        var b = new byte[records * 3073];
        var rng = new Random(seed);
        for (int i = 0; i < records; i++)
        {
            b[i * 3073] = (byte)(i % 10);
            rng.NextBytes(b.AsSpan(i * 3073 + 1, 3072));
        }
        return b;
    }

    /// <summary>A LIBSVM text with <paramref name="rows"/> rows, labels ±1, up to <paramref name="dim"/> features.</summary>
    public static string LibSvm(int rows, int dim, int seed, bool regression = false)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("# generated\n");
        for (int i = 0; i < rows; i++)
        {
            sb.Append(regression ? (rng.NextDouble() * 4 - 2).ToString("R", System.Globalization.CultureInfo.InvariantCulture) : (i % 2 == 0 ? "+1" : "-1"));
            for (int j = 1; j <= dim; j++)
                if (rng.Next(3) != 0 || j == dim && i == 0)
                    sb.Append(System.Globalization.CultureInfo.InvariantCulture, $" {j}:{rng.NextDouble():0.###}");
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
