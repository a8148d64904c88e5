using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Polyak.Cluster.Checkpoints;

/// <summary>
/// A checkpoint of a cluster job's parameter server, taken between two updates (so consistent across shards): the
/// version, w, v, the staleness histogram, the explicit momentum in force and, with <c>--momentum auto</c>, the momentum
/// controller's state as JSON, and the staleness policy's state: DC-ASGD-a's mean square, the updates a drop policy
/// dropped, the steps per group the bounded-staleness gate counts. File <c>ckpt-{version}.bin</c>: magic <c>PLYKCKP3</c>,
/// dimension, version, histogram, momentum, controller JSON, mean square (length 0 or d), dropped, group steps, w, v,
/// then the SHA-256 of everything before it (format 2, <c>PLYKCKP2</c>, without the policy's state, and format 1,
/// <c>PLYKCKP1</c>, also without momentum and controller, with <see cref="Momentum"/> NaN, are still read). Written
/// atomically (temp file + rename).
/// </summary>
public sealed record ClusterCheckpoint(long Version, float[] W, float[] V, long[] Staleness, double Momentum = 0, string? AutoMomentum = null,
    float[]? MeanSquare = null, long DroppedUpdates = 0, long[]? GroupSteps = null)
{
    private static ReadOnlySpan<byte> Magic1 => "PLYKCKP1"u8;
    private static ReadOnlySpan<byte> Magic2 => "PLYKCKP2"u8;
    private static ReadOnlySpan<byte> Magic3 => "PLYKCKP3"u8;

    /// <summary>File name prefix.</summary>
    public const string Prefix = "ckpt-";

    /// <summary>Writes the checkpoint into <paramref name="dir"/> atomically and keeps only the newest <paramref name="keep"/> files; returns the path.</summary>
    public string Write(string dir, int keep = 3)
    {
        Directory.CreateDirectory(dir);
        using var ms = new MemoryStream();
        Span<byte> b8 = stackalloc byte[8];
        if (MeanSquare is { } check && check.Length != W.Length)
            throw new ArgumentException($"checkpoint at update {Version}: a mean square of {check.Length} values for {W.Length} parameters");
        ms.Write(Magic3);
        BinaryPrimitives.WriteInt32LittleEndian(b8, W.Length); ms.Write(b8[..4]);
        BinaryPrimitives.WriteInt64LittleEndian(b8, Version); ms.Write(b8);
        BinaryPrimitives.WriteInt32LittleEndian(b8, Staleness.Length); ms.Write(b8[..4]);
        ms.Write(MemoryMarshal.AsBytes(Staleness.AsSpan()));
        BinaryPrimitives.WriteDoubleLittleEndian(b8, Momentum); ms.Write(b8);
        byte[] auto = AutoMomentum is null ? [] : Encoding.UTF8.GetBytes(AutoMomentum);
        BinaryPrimitives.WriteInt32LittleEndian(b8, AutoMomentum is null ? -1 : auto.Length); ms.Write(b8[..4]);
        ms.Write(auto);
        float[] meanSquare = MeanSquare ?? [];
        BinaryPrimitives.WriteInt32LittleEndian(b8, meanSquare.Length); ms.Write(b8[..4]);
        ms.Write(MemoryMarshal.AsBytes(meanSquare.AsSpan()));
        BinaryPrimitives.WriteInt64LittleEndian(b8, DroppedUpdates); ms.Write(b8);
        long[] steps = GroupSteps ?? [];
        BinaryPrimitives.WriteInt32LittleEndian(b8, steps.Length); ms.Write(b8[..4]);
        ms.Write(MemoryMarshal.AsBytes(steps.AsSpan()));
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
        var magic = bytes.AsSpan(0, 8);
        int format = magic.SequenceEqual(Magic3) ? 3 : magic.SequenceEqual(Magic2) ? 2 : magic.SequenceEqual(Magic1) ? 1 : 0;
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
        if (format >= 2)
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
        float[]? meanSquare = null;
        long dropped = 0;
        long[]? groupSteps = null;
        if (format >= 3)
        {
            if (pos + 4L > body.Length) throw Bad(path, "truncated or inconsistent lengths");
            int m = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos)); pos += 4;
            if ((m != 0 && m != d) || pos + 4L * m + 12 > body.Length) throw Bad(path, "truncated or inconsistent lengths");
            if (m > 0) meanSquare = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(pos, 4 * m)).ToArray();
            pos += 4 * m;
            dropped = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(pos)); pos += 8;
            int groups = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos)); pos += 4;
            if (groups < 0 || dropped < 0 || pos + 8L * groups > body.Length) throw Bad(path, "truncated or inconsistent lengths");
            if (groups > 0) groupSteps = MemoryMarshal.Cast<byte, long>(bytes.AsSpan(pos, 8 * groups)).ToArray();
            pos += 8 * groups;
        }
        if (body.Length != pos + 8L * d) throw Bad(path, "truncated or inconsistent lengths");
        var w = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(pos, 4 * d)).ToArray(); pos += 4 * d;
        var v = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(pos, 4 * d)).ToArray();
        return new ClusterCheckpoint(version, w, v, staleness, momentum, auto, meanSquare, dropped, groupSteps);
    }

    private static InvalidDataException Bad(string path, string what) => new($"checkpoint '{path}': {what}");

    /// <summary>The newest checkpoint in <paramref name="dir"/>, or null when there is none; throws if it is invalid.</summary>
    public static ClusterCheckpoint? ReadLatest(string dir, int expectedDimension)
    {
        var files = List(dir);
        return files.Count == 0 ? null : Read(files[0], expectedDimension);
    }
}
