using System.IO.Compression;

namespace Polyak.Data;

/// <summary>
/// Opens a data file that may be gzip-compressed (detected from its first two bytes, not its name) and reads from it
/// with bounds: declared sizes are checked against the file length (raw) or a sane maximum (gzip) before anything is
/// allocated, gzip payloads are read incrementally, and every failure names the file and the offset.
/// </summary>
public sealed class DataFile : IDisposable
{
    private readonly FileStream _file;
    private readonly Stream _stream;

    private DataFile(string path, FileStream file, Stream stream, bool gzip)
    {
        Path = path;
        _file = file;
        _stream = stream;
        IsGzip = gzip;
    }

    /// <summary>The path as given (used in error messages).</summary>
    public string Path { get; }

    /// <summary>True when the file is gzip-compressed; positions are then offsets in the decompressed stream.</summary>
    public bool IsGzip { get; }

    /// <summary>Length of the file on disk in bytes.</summary>
    public long FileLength => _file.Length;

    /// <summary>Bytes consumed so far from the (decompressed) stream.</summary>
    public long Position { get; private set; }

    /// <summary>Bytes left to read for a raw file; null for gzip (unknown until read).</summary>
    public long? Remaining => IsGzip ? null : _file.Length - Position;

    /// <summary>Opens <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file when it cannot be read.</summary>
    public static DataFile Open(string path)
    {
        FileStream fs;
        try
        {
            fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw DataError.InFile(path, $"cannot open: {ex.Message}");
        }
        try
        {
            Span<byte> head = stackalloc byte[2];
            int n = fs.ReadAtLeast(head, 2, throwOnEndOfStream: false);
            fs.Position = 0;
            bool gzip = n == 2 && head[0] == 0x1F && head[1] == 0x8B;
            Stream s = gzip ? new GZipStream(fs, CompressionMode.Decompress, leaveOpen: true) : fs;
            return new DataFile(path, fs, s, gzip);
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; returns the count (0 at the end).</summary>
    public int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _stream.Read(buffer);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException)
        {
            throw DataError.AtByte(Path, Position, $"corrupt {(IsGzip ? "gzip" : "file")} data ({(IsGzip ? "decompressed offset; " : "")}{ex.Message})");
        }
        Position += n;
        return n;
    }

    /// <summary>Fills <paramref name="buffer"/> or throws a truncation error saying what was being read.</summary>
    public void ReadExactly(Span<byte> buffer, string what)
    {
        long start = Position;
        int total = 0;
        while (total < buffer.Length)
        {
            int n = Read(buffer[total..]);
            if (n == 0)
                throw DataError.AtByte(Path, Position, $"file is truncated: expected {buffer.Length} bytes of {what} starting at byte {start}, found only {total}");
            total += n;
        }
    }

    /// <summary>Reads a big-endian 32-bit integer.</summary>
    public int ReadInt32BigEndian(string what)
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(b, what);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b);
    }

    /// <summary>
    /// Reads exactly <paramref name="declared"/> bytes of payload that must end the file. The size is checked against the
    /// file length (raw) or <see cref="DataLimits.MaxPayloadBytes"/> before allocating; gzip data is read incrementally, so
    /// a false header never allocates more than about twice the data actually present.
    /// </summary>
    public byte[] ReadPayloadToEnd(long declared, string what)
    {
        long start = Position;
        if (declared < 0 || declared > DataLimits.MaxPayloadBytes)
            throw DataError.AtByte(Path, start, $"header declares {declared:N0} bytes of {what}, more than the supported maximum of {DataLimits.MaxPayloadBytes:N0}");
        if (Remaining is long rem)
        {
            if (declared > rem)
                throw DataError.AtByte(Path, start, $"file is truncated: header declares {declared:N0} bytes of {what} but only {rem:N0} bytes follow the header");
            if (declared < rem)
                throw DataError.AtByte(Path, start + declared, $"{rem - declared:N0} unexpected bytes after the {declared:N0} bytes of {what} the header declares");
            var all = new byte[declared];
            ReadExactly(all, what);
            return all;
        }

        var buffer = new byte[Math.Min(declared, 1 << 20)];
        long filled = 0;
        while (filled < declared)
        {
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(declared, (long)buffer.Length * 2));
            int n = Read(buffer.AsSpan((int)filled, (int)Math.Min(buffer.Length - filled, 1 << 20)));
            if (n == 0)
                throw DataError.AtByte(Path, Position, $"file is truncated: header declares {declared:N0} bytes of {what} (decompressed) but the data ends after {filled:N0}");
            filled += n;
        }
        ExpectEnd(what);
        return buffer;
    }

    /// <summary>Throws when any byte is left after the data.</summary>
    public void ExpectEnd(string what)
    {
        Span<byte> one = stackalloc byte[1];
        if (Read(one) != 0)
            throw DataError.AtByte(Path, Position - 1, $"unexpected bytes after the {what} the header declares");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!ReferenceEquals(_stream, _file)) _stream.Dispose();
        _file.Dispose();
    }
}
