using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Polyak.Cluster.Checkpoints;

/// <summary>
/// A checkpoint of a cluster job's parameter server, taken between two updates (so consistent across shards): the
/// version, w, v, the staleness histogram, the explicit momentum in force and, with <c>--momentum auto</c>, the momentum
/// controller's state as JSON. File <c>ckpt-{version}.bin</c>: magic <c>PLYKCKP2</c>, dimension, version, histogram,
/// momentum, controller JSON, w, v, then the SHA-256 of everything before it (files of format 1, <c>PLYKCKP1</c>, without
/// momentum and controller, are still read, with <see cref="Momentum"/> NaN). Written atomically (temp file + rename).
/// </summary>
public sealed record ClusterCheckpoint(long Version, float[] W, float[] V, long[] Staleness, double Momentum = 0, string? AutoMomentum = null)
{
    private static ReadOnlySpan<byte> Magic1 => "PLYKCKP1"u8;
    private static ReadOnlySpan<byte> Magic2 => "PLYKCKP2"u8;

    /// <summary>File name prefix.</summary>
    public const string Prefix = "ckpt-";

    /// <summary>Writes the checkpoint into <paramref name="dir"/> atomically and keeps only the newest <paramref name="keep"/> files; returns the path.</summary>
    public string Write(string dir, int keep = 3)
    {
        Directory.CreateDirectory(dir);
        using var ms = new MemoryStream();
        Span<byte> b8 = stackalloc byte[8];
        ms.Write(Magic2);
        BinaryPrimitives.WriteInt32LittleEndian(b8, W.Length); ms.Write(b8[..4]);
        BinaryPrimitives.WriteInt64LittleEndian(b8, Version); ms.Write(b8);
        BinaryPrimitives.WriteInt32LittleEndian(b8, Staleness.Length); ms.Write(b8[..4]);
        ms.Write(MemoryMarshal.AsBytes(Staleness.AsSpan()));
        BinaryPrimitives.WriteDoubleLittleEndian(b8, Momentum); ms.Write(b8);
        byte[] auto = AutoMomentum is null ? [] : Encoding.UTF8.GetBytes(AutoMomentum);
        BinaryPrimitives.WriteInt32LittleEndian(b8, AutoMomentum is null ? -1 : auto.Length); ms.Write(b8[..4]);
        ms.Write(auto);
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
        if (bytes.Length < 8 + 4 + 8 + 4 + 32) throw Bad(path, "not a Polyak cluster checkpoint (bad header)");
        int format = bytes.AsSpan(0, 8).SequenceEqual(Magic2) ? 2 : bytes.AsSpan(0, 8).SequenceEqual(Magic1) ? 1 : 0;
        if (format == 0) throw Bad(path, "not a Polyak cluster checkpoint (bad header)");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw Bad(path, "checksum mismatch (file corrupted); refusing to use it");
        int pos = 8;
        int d = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos)); pos += 4;
        long version = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(pos)); pos += 8;
        int h = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos)); pos += 4;
        if (d != expectedDimension)
            throw Bad(path, $"model size mismatch: the checkpoint has {d} parameters, the job's model has {expectedDimension}");
        if (h < 0 || version < 0 || pos + 8L * h > body.Length) throw Bad(path, "truncated or inconsistent lengths");
        var staleness = MemoryMarshal.Cast<byte, long>(bytes.AsSpan(pos, 8 * h)).ToArray(); pos += 8 * h;
        double momentum = double.NaN; // format 1 did not record it: the job's configured momentum applies
        string? auto = null;
        if (format == 2)
        {
            if (pos + 12L > body.Length) throw Bad(path, "truncated or inconsistent lengths");
            momentum = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(pos)); pos += 8;
            int a = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos)); pos += 4;
            if (a < -1 || pos + (long)Math.Max(0, a) > body.Length) throw Bad(path, "truncated or inconsistent lengths");
            if (a >= 0)
            {
                auto = Encoding.UTF8.GetString(bytes, pos, a);
                pos += a;
            }
        }
        if (body.Length != pos + 8L * d) throw Bad(path, "truncated or inconsistent lengths");
        var w = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(pos, 4 * d)).ToArray(); pos += 4 * d;
        var v = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(pos, 4 * d)).ToArray();
        return new ClusterCheckpoint(version, w, v, staleness, momentum, auto);
    }

    private static InvalidDataException Bad(string path, string what) => new($"checkpoint '{path}': {what}");

    /// <summary>The newest checkpoint in <paramref name="dir"/>, or null when there is none; throws if it is invalid.</summary>
    public static ClusterCheckpoint? ReadLatest(string dir, int expectedDimension)
    {
        var files = List(dir);
        return files.Count == 0 ? null : Read(files[0], expectedDimension);
    }
}
