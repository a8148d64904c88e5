using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Polyak.Execution;

/// <summary>
/// The checkpoint file: magic <c>POLYAKCK</c>, format version, JSON state, then w and v as little-endian floats,
/// then a SHA-256 of everything before it. Written atomically (temp file + rename); read with full validation.
/// </summary>
public static class CheckpointFile
{
    /// <summary>File name inside a run folder.</summary>
    public const string FileName = "checkpoint.bin";

    /// <summary>The checkpoint before the latest one, kept beside it (the fallback when the latest cannot be read).</summary>
    public const string PreviousFileName = "checkpoint.prev.bin";

    private static readonly byte[] Magic = "POLYAKCK"u8.ToArray();
    private const int FormatVersion = 1;
    private const int MaxJsonBytes = 256 << 20;

    /// <summary>Writes a checkpoint atomically.</summary>
    public static void Write(string path, CheckpointState state, ReadOnlySpan<float> w, ReadOnlySpan<float> v)
    {
        if (w.Length != state.ParameterCount || v.Length != state.ParameterCount)
            throw new ArgumentException($"checkpoint holds {state.ParameterCount} parameters, got w={w.Length}, v={v.Length}");
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(state, Json.Compact);
        string tmp = path + ".tmp";
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            void Put(ReadOnlySpan<byte> bytes)
            {
                f.Write(bytes);
                sha.AppendData(bytes);
            }
            Span<byte> head = stackalloc byte[8];
            Put(Magic);
            BinaryPrimitives.WriteInt32LittleEndian(head, FormatVersion);
            BinaryPrimitives.WriteInt32LittleEndian(head[4..], json.Length);
            Put(head);
            Put(json);
            Put(MemoryMarshal.AsBytes(w));
            Put(MemoryMarshal.AsBytes(v));
            f.Write(sha.GetHashAndReset());
            f.Flush(flushToDisk: true);
        }
        // Keep the last two: the current one becomes the previous one, then the new one takes its name (each a rename).
        if (File.Exists(path)) File.Move(path, Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, PreviousFileName), overwrite: true);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads and validates a checkpoint; throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static Checkpoint Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no checkpoint at '{path}'", path);
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = f.Length;
        const int headerBytes = 8 + 8;
        if (length < headerBytes + 32) throw Bad(path, $"file is {length} bytes, too short for a checkpoint");
        var header = new byte[headerBytes];
        f.ReadExactly(header);
        if (!header.AsSpan(0, 8).SequenceEqual(Magic)) throw Bad(path, "wrong magic number (not a Polyak checkpoint)");
        int format = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
        if (format != FormatVersion) throw Bad(path, $"format version {format}, expected {FormatVersion}");
        int jsonLength = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
        if (jsonLength <= 0 || jsonLength > MaxJsonBytes || headerBytes + (long)jsonLength + 32 > length)
            throw Bad(path, $"declared state size {jsonLength} bytes does not fit in a {length}-byte file (truncated or corrupted)");
        long vectorBytes = length - headerBytes - jsonLength - 32;
        if (vectorBytes % 8 != 0) throw Bad(path, $"parameter section of {vectorBytes} bytes is not two float vectors (truncated?)");
        if (vectorBytes > int.MaxValue * 2L) throw Bad(path, "parameter section too large");

        // Verify the checksum before trusting any content.
        f.Position = 0;
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var buffer = new byte[1 << 16];
            long remaining = length - 32;
            while (remaining > 0)
            {
                int n = f.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
                if (n <= 0) throw Bad(path, "unexpected end of file");
                sha.AppendData(buffer, 0, n);
                remaining -= n;
            }
            var stored = new byte[32];
            f.ReadExactly(stored);
            if (!sha.GetHashAndReset().AsSpan().SequenceEqual(stored)) throw Bad(path, "checksum mismatch (the file is corrupted)");
        }

        f.Position = headerBytes;
        var json = new byte[jsonLength];
        f.ReadExactly(json);
        CheckpointState state;
        try
        {
            state = JsonSerializer.Deserialize<CheckpointState>(json, Json.Compact) ?? throw Bad(path, "empty state");
        }
        catch (JsonException ex)
        {
            throw Bad(path, $"state is not valid: {ex.Message}");
        }
        int d = (int)(vectorBytes / 8);
        if (state.ParameterCount != d) throw Bad(path, $"state says {state.ParameterCount} parameters, vectors hold {d}");
        if (state.Version < 0) throw Bad(path, $"negative version {state.Version}");
        if (state.Staleness.Any(c => c < 0) || state.Staleness.Sum() != state.Version)
            throw Bad(path, $"staleness counts do not add up to the version {state.Version}");
        if (state.SamplesDrawn.Any(s => s < 0)) throw Bad(path, "negative sample count");
        var w = new float[d];
        var v = new float[d];
        f.ReadExactly(MemoryMarshal.AsBytes(w.AsSpan()));
        f.ReadExactly(MemoryMarshal.AsBytes(v.AsSpan()));
        return new Checkpoint(state, w, v);
    }

    private static InvalidDataException Bad(string path, string what) => new($"checkpoint '{path}': {what}");

    /// <summary>Human-readable size, for logs.</summary>
    public static string Describe(string path) => $"{path} ({new FileInfo(path).Length / 1024.0:F0} KiB)";
}
