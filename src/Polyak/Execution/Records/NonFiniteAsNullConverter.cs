using System.Text.Json;
using System.Text.Json.Serialization;

namespace Polyak.Execution;

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
