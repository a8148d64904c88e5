using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>
/// The one schema of run files, checked on the JSON itself before anything is deserialised: every value must have the
/// kind its field has (a string, a whole number in range, a number, one of an enum's names, an object), null only where
/// the field is optional. A failure is one <see cref="ArgumentException"/> naming the file, the key and what was
/// expected, with the value shortened, and never a .NET type name.
/// </summary>
public static class RunFileSchema
{
    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>Checks <paramref name="element"/>'s fields against <paramref name="type"/>'s; keys without a field (aliases, command-line names) are left to the caller.</summary>
    public static void Check(string path, string text, JsonElement element, Type type, string prefix, Func<string, string?> fieldOf)
    {
        var info = Json.Indented.GetTypeInfo(type);
        foreach (var p in element.EnumerateObject())
        {
            string? field = fieldOf(p.Name);
            var property = field is null ? null : info.Properties.FirstOrDefault(x => x.Name == field);
            if (property is null) continue;
            try
            {
                CheckValue(path, text, prefix + p.Name, p.Value, property);
            }
            catch (ArgumentException ex) when (!ex.Message.Contains(" (line ", StringComparison.Ordinal))
            {
                throw new ArgumentException($"{ex.Message}{Locate(text, p.Name)}");
            }
        }
    }

    /// <summary>" (line L)" of the first occurrence of <paramref name="key"/> as a key in <paramref name="text"/>, or nothing.</summary>
    private static string Locate(string text, string key)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text, "\"" + System.Text.RegularExpressions.Regex.Escape(key) + "\"\\s*:");
        if (!m.Success) return "";
        int line = 1;
        for (int i = 0; i < m.Index; i++) if (text[i] == '\n') line++;
        return $" (line {line})";
    }

    private static void CheckValue(string path, string text, string key, JsonElement value, JsonPropertyInfo property)
    {
        var type = property.PropertyType;
        var underlying = Nullable.GetUnderlyingType(type);
        bool optional = underlying is not null || IsNullableReference(property);
        var t = underlying ?? type;
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (optional) return;
            throw Bad(path, key, Expected(t), value);
        }
        if (t == typeof(string))
        {
            if (value.ValueKind != JsonValueKind.String) throw Bad(path, key, "a string", value);
        }
        else if (t == typeof(int) || t == typeof(long) || t == typeof(ulong))
        {
            bool ok = value.ValueKind == JsonValueKind.Number && (t == typeof(int) ? value.TryGetInt32(out _) : t == typeof(long) ? value.TryGetInt64(out _) : value.TryGetUInt64(out _));
            if (!ok) throw Bad(path, key, Expected(t), value);
        }
        else if (t == typeof(double))
        {
            if (value.ValueKind != JsonValueKind.Number || !double.IsFinite(value.GetDouble())) throw Bad(path, key, "a finite number", value);
        }
        else if (t == typeof(bool))
        {
            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Bad(path, key, "true or false", value);
        }
        else if (t.IsEnum)
        {
            var names = EnumNames(t);
            if (value.ValueKind != JsonValueKind.String || !names.Contains(value.GetString()!, StringComparer.OrdinalIgnoreCase))
                throw Bad(path, key, $"one of {string.Join(", ", names)}", value);
        }
        else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            if (value.ValueKind != JsonValueKind.Object) throw Bad(path, key, "an object", value);
            var (keyType, valueType) = (t.GetGenericArguments()[0], t.GetGenericArguments()[1]);
            foreach (var e in value.EnumerateObject())
            {
                if (keyType == typeof(int) && !int.TryParse(e.Name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    throw new ArgumentException($"{path}: '{key}' keys must be whole numbers, got '{Shorten(e.Name)}'");
                if (valueType == typeof(double) && (e.Value.ValueKind != JsonValueKind.Number || !double.IsFinite(e.Value.GetDouble())))
                    throw Bad(path, $"{key}.{e.Name}", "a finite number", e.Value);
            }
        }
        else if (Json.Indented.GetTypeInfo(t).Kind == JsonTypeInfoKind.Object)
        {
            if (value.ValueKind != JsonValueKind.Object) throw Bad(path, key, "an object", value);
            Check(path, text, value, t, key + ".", name => name);
        }
    }

    private static bool IsNullableReference(JsonPropertyInfo property) =>
        property.AttributeProvider is PropertyInfo pi && !pi.PropertyType.IsValueType && Nullability.Create(pi).WriteState != NullabilityState.NotNull;

    private static string Expected(Type t) =>
        t == typeof(string) ? "a string"
        : t == typeof(int) ? "a whole number"
        : t == typeof(long) ? "a whole number"
        : t == typeof(ulong) ? "a whole number >= 0"
        : t == typeof(double) ? "a finite number"
        : t.IsEnum ? $"one of {string.Join(", ", EnumNames(t))}"
        : "an object";

    private static string[] EnumNames(Type t) => Enum.GetNames(t).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)).ToArray();

    private static ArgumentException Bad(string path, string key, string expected, JsonElement value) =>
        new($"{path}: '{key}' must be {expected}, got {Describe(value)}");

    /// <summary>A value as an error message shows it: JSON text, shortened.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        _ => Shorten(value.GetRawText()),
    };

    /// <summary>Text cut to at most about 60 characters for an error line, saying how long it was.</summary>
    public static string Shorten(string text, int max = 60) =>
        text.Length <= max ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..(max - 3)]}... ({text.Length:N0} characters)");
}
