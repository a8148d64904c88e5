namespace Polyak.Data;

/// <summary>
/// Reads the lines of a (possibly gzip) text file as UTF-8 byte spans without a string per line, counting line numbers,
/// and refuses lines longer than <see cref="DataLimits.MaxLineBytes"/> instead of buffering them without bound. A UTF-8
/// byte-order mark at the start is dropped (so it never sticks to the first header name); UTF-16 text is refused.
/// </summary>
public sealed class TextLineReader : IDisposable
{
    private readonly DataFile _file;
    private byte[] _buffer = new byte[1 << 16];
    private int _start, _end;
    private bool _eof;

    /// <summary>Opens <paramref name="path"/>.</summary>
    public TextLineReader(string path) => _file = DataFile.Open(path);

    /// <summary>The file path.</summary>
    public string Path => _file.Path;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The next line without its terminator (<c>\n</c> or <c>\r\n</c>); false at the end of the file.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        int searched = 0;
        while (true)
        {
            int nl = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                int len = searched + nl;
                line = First(Trim(_buffer.AsSpan(_start, len)));
                _start += len + 1;
                LineNumber++;
                return true;
            }
            searched = _end - _start;
            if (_eof)
            {
                if (_end == _start)
                {
                    line = default;
                    return false;
                }
                line = First(Trim(_buffer.AsSpan(_start, _end - _start)));
                _start = _end;
                LineNumber++;
                return true;
            }
            Fill();
        }
    }

    /// <summary>The first line without a UTF-8 byte-order mark; UTF-16 is refused. Later lines pass unchanged.</summary>
    private ReadOnlySpan<byte> First(ReadOnlySpan<byte> line)
    {
        if (LineNumber != 0) return line;
        if (line.StartsWith("\uFEFF"u8)) return line[3..];
        if (line.StartsWith([(byte)0xFF, (byte)0xFE]) || line.StartsWith([(byte)0xFE, (byte)0xFF]))
            throw DataError.AtLine(Path, 1, "the file is UTF-16 text; save it as UTF-8 (or ASCII)");
        return line;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s) => s.Length > 0 && s[^1] == (byte)'\r' ? s[..^1] : s;

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= DataLimits.MaxLineBytes)
                throw DataError.AtLine(Path, LineNumber + 1, $"line is longer than {DataLimits.MaxLineBytes:N0} bytes; is this a text file?");
            Array.Resize(ref _buffer, Math.Min(DataLimits.MaxLineBytes, _buffer.Length * 2));
        }
        int n = _file.Read(_buffer.AsSpan(_end));
        if (n == 0) _eof = true;
        _end += n;
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
