namespace Polyak.Data;

/// <summary>
/// Reads IDX files (MNIST / Fashion-MNIST), raw or gzip: magic <c>00 00 08 NDIMS</c> (unsigned bytes), NDIMS big-endian
/// int32 dimensions, then the data. Images are <c>0x00000803</c> (count, rows, cols), labels <c>0x00000801</c> (count).
/// Validates the magic, every dimension, the declared size against the file, and trailing bytes.
/// </summary>
public static class IdxFile
{
    /// <summary>Magic number of an unsigned-byte image file (3 dimensions).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte label file (1 dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an IDX file that must have <paramref name="expectedDims"/> dimensions, through <paramref name="cache"/> when it is gzip.</summary>
    public static IdxArray Read(string path, int expectedDims, DecodedCache? cache = null)
    {
        bool gzip;
        using (var probe = DataFile.Open(path)) gzip = probe.IsGzip;
        if (gzip && cache is not null)
        {
            var (dims, payload) = cache.GetOrDecode(path, () => { var a = ReadUncached(path, expectedDims); return (a.Dimensions, a.Data); });
            if (dims.Length == expectedDims && dims.All(d => d > 0) && dims.Aggregate(1L, (a, b) => a * b) == payload.LongLength)
                return new IdxArray(dims, payload);
            return ReadUncached(path, expectedDims);
        }
        return ReadUncached(path, expectedDims);
    }

    /// <summary>Reads and validates an IDX file without the cache.</summary>
    public static IdxArray ReadUncached(string path, int expectedDims)
    {
        using var f = DataFile.Open(path);
        int expectedMagic = 0x00000800 | expectedDims;
        string kind = expectedDims == 1 ? "labels" : "images";
        int magic = f.ReadInt32BigEndian("IDX magic number");
        if (magic != expectedMagic)
        {
            string why = (magic >>> 16) != 0 ? "not an IDX file"
                : ((magic >> 8) & 0xFF) != 0x08 ? $"element type 0x{(magic >> 8) & 0xFF:X2} ({TypeName((magic >> 8) & 0xFF)}) is not supported, only 0x08 (unsigned byte)"
                : $"{magic & 0xFF} dimensions where an IDX {kind} file has {expectedDims}";
            throw DataError.AtByte(path, 0, $"expected IDX {kind} magic 0x{expectedMagic:X8}, found 0x{magic:X8}: {why}");
        }
        var dims = new int[expectedDims];
        long product = 1;
        for (int i = 0; i < expectedDims; i++)
        {
            long at = f.Position;
            int d = f.ReadInt32BigEndian($"dimension {i}");
            if (d < 0) throw DataError.AtByte(path, at, $"dimension {i} is negative ({d}); expected a positive size");
            if (d == 0) throw DataError.AtByte(path, at, $"dimension {i} is 0; expected a positive size");
            dims[i] = d;
            product *= d;
            if (product > DataLimits.MaxPayloadBytes)
                throw DataError.AtByte(path, at, $"header declares dimensions [{string.Join(" x ", dims.Take(i + 1))}{(i + 1 < expectedDims ? " x ..." : "")}], more than the supported maximum of {DataLimits.MaxPayloadBytes:N0} bytes");
        }
        byte[] data = f.ReadPayloadToEnd(product, $"{kind} [{string.Join(" x ", dims)}]");
        return new IdxArray(dims, data);
    }

    private static string TypeName(int code) => code switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown",
    };
}
