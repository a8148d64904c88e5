namespace Polyak.Data;

/// <summary>Hard limits that keep hostile inputs from allocating without bound (checked before allocating).</summary>
public static class DataLimits
{
    /// <summary>Largest decoded payload of one binary file, in bytes (just under the .NET array limit).</summary>
    public const long MaxPayloadBytes = 2_000_000_000;

    /// <summary>Largest number of float values of a densified data set (train + test): 2^28 floats = 1 GiB.</summary>
    public const long MaxDenseValues = 1L << 28;

    /// <summary>Most bytes a gzip file may decompress to (even when streamed), so a gzip bomb ends with an error, not a long wait.</summary>
    public const long MaxDecompressedBytes = 8L << 30;

    /// <summary>Longest accepted line of a text file, in bytes.</summary>
    public const int MaxLineBytes = 64 << 20;

    /// <summary>Most distinct class labels a classification file may have.</summary>
    public const int MaxClasses = 100_000;
}
