using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Polyak.Data;
using Xunit;

namespace Polyak.Tests.Data;

/// <summary>The decoded-data cache's on-disk format (XxHash64 name key and checksum, version 2) and how it treats entries of the older format.</summary>
public sealed class DecodedCacheTests
{
    private static readonly int[] Dims = [3, 2, 2];
    private static readonly byte[] Payload = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

    /// <summary>A cache file laid out like <c>DecodedCache</c> writes it, with the given format version and checksum.</summary>
    private static byte[] EntryBytes(int version, string source, byte[] payload, ulong checksum, int[] dims)
    {
        var info = new FileInfo(source);
        var head = new byte[8 + 4 + 8 + 8 + 4 + dims.Length * 4 + 8 + 8];
        "PLYKCACH"u8.CopyTo(head);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(8), version);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(12), info.Length);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(20), info.LastWriteTimeUtc.Ticks);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(28), dims.Length);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(32 + i * 4), dims[i]);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(32 + dims.Length * 4), payload.LongLength);
        BinaryPrimitives.WriteUInt64LittleEndian(head.AsSpan(40 + dims.Length * 4), checksum);
        return [.. head, .. payload];
    }

    private static (int[], byte[]) Decode() => (Dims, Payload);

    [Fact]
    public void EntryNameAndChecksumAreXxHash64()
    {
        using var t = new TempFolder();
        using var c = new TempFolder();
        string source = t.Write("images.gz", [42]);
        var cache = new DecodedCache(c.Path);
        cache.GetOrDecode(source, Decode);
        Assert.Equal("miss", cache.LastOutcome);

        string entry = cache.EntryPath(source)!;
        ulong key = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(Path.GetFullPath(source)));
        Assert.Equal(Path.Combine(c.Path, $"images.gz.{key:x16}.decoded"), entry);
        Assert.Equal(EntryBytes(2, source, Payload, XxHash64.HashToUInt64(Payload), Dims), File.ReadAllBytes(entry));

        var (dims, payload) = cache.GetOrDecode(source, () => throw new InvalidOperationException("must be a hit"));
        Assert.Equal("hit", cache.LastOutcome);
        Assert.Equal(Dims, dims);
        Assert.Equal(Payload, payload);
    }

    [Fact]
    public void VersionOneEntryIsIgnoredAndReplaced()
    {
        using var t = new TempFolder();
        using var c = new TempFolder();
        string source = t.Write("images.gz", [42]);
        var cache = new DecodedCache(c.Path);
        string entry = cache.EntryPath(source)!;
        // Everything right but the version (even the checksum): the old format must not be read.
        var stale = new byte[Payload.Length];
        File.WriteAllBytes(entry, EntryBytes(1, source, stale, XxHash64.HashToUInt64(stale), Dims));

        var (_, payload) = cache.GetOrDecode(source, Decode);
        Assert.Equal("rebuilt", cache.LastOutcome);
        Assert.Equal(Payload, payload);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(File.ReadAllBytes(entry).AsSpan(8)));
        cache.GetOrDecode(source, () => throw new InvalidOperationException("must be a hit"));
        Assert.Equal("hit", cache.LastOutcome);
    }

    [Fact]
    public void OlderFormatEntriesOfTheSameSourceNameAreDeletedOnlyWhenPolyakWroteThem()
    {
        using var t = new TempFolder();
        using var c = new TempFolder();
        string source = t.Write("images.gz", [42]);
        var cache = new DecodedCache(c.Path);
        byte[] v1 = EntryBytes(1, source, Payload, 0x1234, Dims);
        byte[] v2 = EntryBytes(2, source, Payload, XxHash64.HashToUInt64(Payload), Dims);
        string oldKeyV1 = Path.Combine(c.Path, "images.gz.0123456789abcdef.decoded"); // what version 1 left under its own key
        string foreign = Path.Combine(c.Path, "images.gz.fedcba9876543210.decoded");  // right name, not a Polyak cache file
        string current = Path.Combine(c.Path, "images.gz.00000000000000aa.decoded");  // another source's version-2 entry
        string newer = Path.Combine(c.Path, "images.gz.00000000000000bb.decoded");    // a later Polyak's format
        string otherName = Path.Combine(c.Path, "labels.gz.0123456789abcdef.decoded"); // another source name
        string oddName = Path.Combine(c.Path, "images.gz.notes.decoded");              // not the entry name pattern
        File.WriteAllBytes(oldKeyV1, v1);
        File.WriteAllBytes(foreign, Encoding.UTF8.GetBytes("user data, not ours"));
        File.WriteAllBytes(current, v2);
        byte[] v3 = (byte[])v2.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(v3.AsSpan(8), 3);
        File.WriteAllBytes(newer, v3);
        File.WriteAllBytes(otherName, v1);
        File.WriteAllBytes(oddName, v1);

        cache.GetOrDecode(source, Decode);
        Assert.Equal("miss", cache.LastOutcome);
        Assert.True(File.Exists(cache.EntryPath(source)));
        Assert.False(File.Exists(oldKeyV1));
        Assert.Equal("user data, not ours", File.ReadAllText(foreign));
        Assert.Equal(v2, File.ReadAllBytes(current));
        Assert.Equal(v3, File.ReadAllBytes(newer));
        Assert.Equal(v1, File.ReadAllBytes(otherName));
        Assert.Equal(v1, File.ReadAllBytes(oddName));
    }
}
