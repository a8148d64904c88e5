using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Polyak.Cluster.Checkpoints;

/// <summary>
/// A checkpoint of a cluster job's parameter server: w, v, the version and the staleness histogram, taken between
/// two updates (so consistent across shards). File <c>ckpt-{version}.bin</c>: magic <c>PLYKCKP1</c>, dimension,
/// version, histogram, w, v, then the SHA-256 of everything before it. Written atomically (temp file + rename).
/// </summary>
public sealed record ClusterCheckpoint(long Version, float[] W, float[] V, long[] Staleness)
{
    private static ReadOnlySpan<byte> Magic => "PLYKCKP1"u8;

    /// <summary>File name prefix.</summary>
    public const string Prefix = "ckpt-";

    /// <summary>Writes the checkpoint into <paramref name="dir"/> atomically and keeps only the newest <paramref name="keep"/> files; returns the path.</summary>
    public string Write(string dir, int keep = 3)
    {
        Directory.CreateDirectory(dir);
        using var ms = new MemoryStream();
        Span<byte> b8 = stackalloc byte[8];
        ms.Write(Magic);
        BinaryPrimitives.WriteInt32LittleEndian(b8, W.Length); ms.Write(b8[..4]);
        BinaryPrimitives.WriteInt64LittleEndian(b8, Version); ms.Write(b8);
        BinaryPrimitives.WriteInt32LittleEndian(b8, Staleness.Length); ms.Write(b8[..4]);
        ms.Write(MemoryMarshal.AsBytes(Staleness.AsSpan()));
        ms.Write(MemoryMarshal.AsBytes(W.AsSpan()));
        ms.Write(MemoryMarshal.AsBytes(V.AsSpan()));
        byte[] hash = SHA256.HashData(ms.GetBuffer().AsSpan(0, (int)ms.Length));
        ms.Write(hash);
        string path = Path.Combine(dir, $"{Prefix}{Version.ToString("D12", CultureInfo.InvariantCulture)}.bin");
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(ms.GetBuffer().AsSpan(0, (int)ms.Length));
            f.Flush(true);
        }
        File.Move(tmp, path, overwrite: true);
        foreach (var old in List(dir).Skip(keep)) File.Delete(old);
        return path;
    }

    /// <summary>Checkpoint files in <paramref name="dir"/>, newest first.</summary>
    public static IReadOnlyList<string> List(string dir) =>
        Directory.Exists(dir)
            ? Directory.GetFiles(dir, Prefix + "*.bin").OrderByDescending(p => Path.GetFileName(p), StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Reads and verifies a checkpoint; throws <see cref="InvalidDataException"/> naming the file and what is wrong.</summary>
    public static ClusterCheckpoint Read(string path, int expectedDimension)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8 + 4 + 8 + 4 + 32 || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new InvalidDataException($"checkpoint '{path}': not a Polyak cluster checkpoint (bad header)");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new InvalidDataException($"checkpoint '{path}': checksum mismatch (file corrupted); refusing to use it");
        int pos = 8;
        int d = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos)); pos += 4;
        long version = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(pos)); pos += 8;
        int h = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos)); pos += 4;
        if (d != expectedDimension)
            throw new InvalidDataException($"checkpoint '{path}': model size mismatch: the checkpoint has {d} parameters, the job's model has {expectedDimension}");
        if (h < 0 || version < 0 || body.Length != pos + 8L * h + 8L * d)
            throw new InvalidDataException($"checkpoint '{path}': truncated or inconsistent lengths");
        var staleness = MemoryMarshal.Cast<byte, long>(bytes.AsSpan(pos, 8 * h)).ToArray(); pos += 8 * h;
        var w = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(pos, 4 * d)).ToArray(); pos += 4 * d;
        var v = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(pos, 4 * d)).ToArray();
        return new ClusterCheckpoint(version, w, v, staleness);
    }

    /// <summary>The newest checkpoint in <paramref name="dir"/>, or null when there is none; throws if it is invalid.</summary>
    public static ClusterCheckpoint? ReadLatest(string dir, int expectedDimension)
    {
        var files = List(dir);
        return files.Count == 0 ? null : Read(files[0], expectedDimension);
    }

    /// <summary>The newest valid checkpoint (skipping corrupted ones, reported through <paramref name="skipped"/>), or null.</summary>
    public static ClusterCheckpoint? ReadLatestValid(string dir, int expectedDimension, Action<string> skipped)
    {
        foreach (var f in List(dir))
        {
            try { return Read(f, expectedDimension); }
            catch (InvalidDataException ex) { skipped(ex.Message); }
        }
        return null;
    }
}
