using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Polyak.Execution;

/// <summary>
/// The JSON conventions of every Polyak file: snake_case names, enums as snake_case strings, and a non-finite
/// <see cref="double"/> (NaN, Infinity: "not measured", "undefined") written as <c>null</c>, so every number field
/// holds a number or null. Reading accepts <c>null</c> and the older <c>"NaN"</c>/<c>"Infinity"</c> strings.
/// </summary>
public static class Json
{
    /// <summary>Indented options for files.</summary>
    public static readonly JsonSerializerOptions Indented = Make(true);

    /// <summary>Compact options for one-line output (JSONL, <c>--json</c>).</summary>
    public static readonly JsonSerializerOptions Compact = Make(false);

    private static JsonSerializerOptions Make(bool indented)
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            WriteIndented = indented,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        o.Converters.Add(new NonFiniteAsNullConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    /// <summary>Writes <paramref name="value"/> to <paramref name="path"/> atomically (temp file + rename).</summary>
    public static void WriteFileAtomic<T>(string path, T value)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(value, Indented));
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>
/// Writes a finite <see cref="double"/> as a JSON number and NaN or an infinity as <c>null</c> (a <c>double?</c>
/// holding NaN is written as <c>null</c> too). Reads a number, <c>null</c> (as NaN) and, for files written before
/// this convention, the strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>.
/// </summary>
public sealed class NonFiniteAsNullConverter : JsonConverter<double>
{
    /// <inheritdoc/>
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.GetDouble();
            case JsonTokenType.Null:
                return double.NaN;
            case JsonTokenType.String:
                string? s = reader.GetString();
                return s switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    _ => throw new JsonException($"expected a number, got the string '{s}'"),
                };
            default:
                throw new JsonException($"expected a number, got {reader.TokenType}");
        }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}
