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
    public static void WriteFileAtomic<T>(string path, T value) => AtomicFile.WriteText(path, JsonSerializer.Serialize(value, Indented));

    /// <summary>
    /// The leaves of <paramref name="element"/> as (dotted path, value) pairs in document order, e.g.
    /// <c>simulation.distribution</c>: strings unquoted, other values as written, nulls left out (how reports and the
    /// dashboard show and compare a run's configuration).
    /// </summary>
    public static List<KeyValuePair<string, string>> Flatten(JsonElement element)
    {
        var rows = new List<KeyValuePair<string, string>>();
        Walk(element, "");
        return rows;

        void Walk(JsonElement e, string prefix)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject()) Walk(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}");
                    break;
                case JsonValueKind.Null or JsonValueKind.Undefined:
                    break;
                case JsonValueKind.String:
                    rows.Add(new(prefix, e.GetString()!));
                    break;
                default:
                    rows.Add(new(prefix, e.GetRawText()));
                    break;
            }
        }
    }
}
