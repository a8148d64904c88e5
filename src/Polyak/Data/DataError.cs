namespace Polyak.Data;

/// <summary>
/// Builds the one clear error a bad data file gets: an <see cref="InvalidDataException"/> whose message names the
/// file, the position (byte offset or line) and what was expected.
/// </summary>
public static class DataError
{
    /// <summary>An error at byte <paramref name="offset"/> of <paramref name="file"/>.</summary>
    public static InvalidDataException AtByte(string file, long offset, string what) => new($"{file}: at byte {offset}: {what}");

    /// <summary>An error on line <paramref name="line"/> (1-based) of <paramref name="file"/>.</summary>
    public static InvalidDataException AtLine(string file, long line, string what) => new($"{file}: line {line}: {what}");

    /// <summary>An error at <paramref name="column"/> (1-based, in bytes) of line <paramref name="line"/> of <paramref name="file"/>.</summary>
    public static InvalidDataException AtColumn(string file, long line, long column, string what) => new($"{file}: line {line}, column {column}: {what}");

    /// <summary>An error about <paramref name="file"/> as a whole.</summary>
    public static InvalidDataException InFile(string file, string what) => new($"{file}: {what}");
}
