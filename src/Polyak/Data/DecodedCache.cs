using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Polyak.Data;

/// <summary>
/// Caches the decoded bytes of a compressed data file (e.g. a gunzipped IDX file) so that later loads skip the
/// decompression. One cache file per source: a small header (magic, version, source length and modification time,
/// dimensions, payload length, XxHash64 checksum) then the raw payload. Written atomically (temp file + rename); a cache
/// file that is truncated, has a wrong header (including an older format version) or a wrong checksum is ignored and
/// rebuilt. Caching is best effort: an unwritable cache folder only costs speed.
/// </summary>
public sealed class DecodedCache
{
    private static readonly byte[] Magic = "PLYKCACH"u8.ToArray();

    /// <summary>
    /// 2: entry name key and payload checksum are XxHash64. 1 (before) used a hand-written 64-bit checksum for both, so
    /// a version-1 entry sits under a different name; it is never read, and is deleted when its source is next cached.
    /// </summary>
    private const int FormatVersion = 2;

    /// <summary>Bytes before the dimensions: magic, version, source length, source ticks, dimension count.</summary>
    private const int FixedHeaderLength = 8 + 4 + 8 + 8 + 4;

    /// <summary>Creates a cache in <paramref name="directory"/>; null disables caching.</summary>
    public DecodedCache(string? directory) => Directory = directory;

    /// <summary>The cache folder, or null when caching is off.</summary>
    public string? Directory { get; }

    /// <summary>
    /// The default cache: <c>$POLYAK_CACHE_DIR</c> (<c>off</c> disables), else <c>$XDG_CACHE_HOME/polyak</c>, else
    /// <c>~/.cache/polyak</c>.
    /// </summary>
    public static DecodedCache Default
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("POLYAK_CACHE_DIR");
            if (env is not null)
                return new DecodedCache(env is "" or "off" or "none" or "0" ? null : env);
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrEmpty(xdg)) return new DecodedCache(Path.Combine(xdg, "polyak"));
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return new DecodedCache(string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache", "polyak"));
        }
    }

    /// <summary>What happened on the last lookup: "hit", "miss", "rebuilt" (corrupt entry replaced) or "off".</summary>
    public string LastOutcome { get; private set; } = "off";

    /// <summary>Path of the cache file for <paramref name="source"/> (null when caching is off).</summary>
    public string? EntryPath(string source)
    {
        if (Directory is null) return null;
        string full = Path.GetFullPath(source);
        ulong key = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(full));
        return Path.Combine(Directory, $"{Path.GetFileName(full)}.{key:x16}.decoded");
    }

    /// <summary>
    /// Returns the cached (dimensions, payload) for <paramref name="source"/> when a valid entry exists for the file's
    /// current length and modification time; otherwise calls <paramref name="decode"/> and stores its result.
    /// </summary>
    public (int[] Dimensions, byte[] Payload) GetOrDecode(string source, Func<(int[] Dimensions, byte[] Payload)> decode)
    {
        string? entry = EntryPath(source);
        if (entry is null)
        {
            LastOutcome = "off";
            return decode();
        }
        var info = new FileInfo(source);
        long length = info.Length, mtime = info.LastWriteTimeUtc.Ticks;
        bool existed = File.Exists(entry);
        if (existed && TryRead(entry, length, mtime) is { } hit)
        {
            LastOutcome = "hit";
            return hit;
        }
        var result = decode();
        LastOutcome = existed ? "rebuilt" : "miss";
        if (TryWrite(entry, length, mtime, result.Dimensions, result.Payload))
            RemoveOlderFormatEntries(entry, Path.GetFileName(Path.GetFullPath(source)));
        return result;
    }

    /// <summary>
    /// Deletes the entries beside <paramref name="entry"/> for sources of the same file name that an older Polyak wrote
    /// (right name pattern, Polyak magic, a format version below the current one): this version can never read them.
    /// Files without the magic, and entries of the current or a newer format, are left alone. Best effort.
    /// </summary>
    private static void RemoveOlderFormatEntries(string entry, string sourceName)
    {
        if (sourceName.AsSpan().IndexOfAny('*', '?') >= 0) return; // not expressible as a search pattern
        string? folder = Path.GetDirectoryName(entry);
        if (folder is null) return;
        try
        {
            foreach (string file in System.IO.Directory.EnumerateFiles(folder, $"{sourceName}.*.decoded"))
            {
                if (string.Equals(file, entry, StringComparison.Ordinal) || !IsEntryName(Path.GetFileName(file), sourceName)) continue;
                if (ReadVersion(file) is >= 1 and < FormatVersion) File.Delete(file);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>True for <c>NAME.{16 hex digits}.decoded</c>, the shape of <see cref="EntryPath"/>.</summary>
    private static bool IsEntryName(string fileName, string sourceName)
    {
        const string suffix = ".decoded";
        if (fileName.Length != sourceName.Length + 1 + 16 + suffix.Length) return false;
        if (!fileName.StartsWith(sourceName, StringComparison.Ordinal) || fileName[sourceName.Length] != '.' || !fileName.EndsWith(suffix, StringComparison.Ordinal)) return false;
        foreach (char ch in fileName.AsSpan(sourceName.Length + 1, 16))
            if (!char.IsAsciiHexDigitLower(ch)) return false;
        return true;
    }

    /// <summary>The format version of a file that starts with the Polyak cache magic; null for any other file.</summary>
    private static int? ReadVersion(string file)
    {
        try
        {
            using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            Span<byte> head = stackalloc byte[12];
            if (fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length || !head[..8].SequenceEqual(Magic)) return null;
            return BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (int[], byte[])? TryRead(string entry, long sourceLength, long sourceTicks)
    {
        try
        {
            using var fs = new FileStream(entry, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            Span<byte> head = stackalloc byte[FixedHeaderLength];
            fs.ReadExactly(head);
            if (!head[..8].SequenceEqual(Magic)) return null;
            if (BinaryPrimitives.ReadInt32LittleEndian(head[8..]) != FormatVersion) return null;
            if (BinaryPrimitives.ReadInt64LittleEndian(head[12..]) != sourceLength) return null;
            if (BinaryPrimitives.ReadInt64LittleEndian(head[20..]) != sourceTicks) return null;
            int ndims = BinaryPrimitives.ReadInt32LittleEndian(head[28..]);
            if (ndims is < 1 or > 8) return null;
            Span<byte> rest = stackalloc byte[ndims * 4 + 8 + 8];
            fs.ReadExactly(rest);
            var dims = new int[ndims];
            for (int i = 0; i < ndims; i++) dims[i] = BinaryPrimitives.ReadInt32LittleEndian(rest[(i * 4)..]);
            long payloadLength = BinaryPrimitives.ReadInt64LittleEndian(rest[(ndims * 4)..]);
            ulong checksum = BinaryPrimitives.ReadUInt64LittleEndian(rest[(ndims * 4 + 8)..]);
            if (payloadLength < 0 || payloadLength != fs.Length - fs.Position) return null;
            var payload = new byte[payloadLength];
            fs.ReadExactly(payload);
            if (XxHash64.HashToUInt64(payload) != checksum) return null;
            return (dims, payload);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Writes the entry atomically; false when the cache folder or file could not be written.</summary>
    private static bool TryWrite(string entry, long sourceLength, long sourceTicks, int[] dims, byte[] payload)
    {
        string tmp = $"{entry}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var head = new byte[FixedHeaderLength + dims.Length * 4 + 8 + 8];
                Magic.CopyTo(head, 0);
                BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(8), FormatVersion);
                BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(12), sourceLength);
                BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(20), sourceTicks);
                BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(28), dims.Length);
                for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(32 + i * 4), dims[i]);
                BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(32 + dims.Length * 4), payload.LongLength);
                BinaryPrimitives.WriteUInt64LittleEndian(head.AsSpan(40 + dims.Length * 4), XxHash64.HashToUInt64(payload));
                fs.Write(head);
                fs.Write(payload);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, entry, overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            return false;
        }
    }
}
