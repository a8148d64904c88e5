using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>
/// Reads <c>--config FILE</c>: either bare training options or a whole run record (a <c>run.json</c>, recognised by its
/// <c>config</c> key; its <c>config</c> is used and its other documented fields are ignored). Bare options may use
/// run.json's field names (<c>learning_rate</c>, <c>time_seconds</c>...) or the command line's option names without
/// dashes (<c>lr</c>, <c>time</c>, <c>weight-decay</c>, <c>momentum</c> <c>"auto:0.8"</c>, <c>sync-cost</c>...). Every key
/// must be known: an unknown one is an error naming the file and the key, with a hint.
/// </summary>
public static class RunFile
{
    /// <summary>The command line's option names (without dashes) that a run file accepts, in the order of <c>--help</c>.</summary>
    public static readonly IReadOnlyList<string> CliNames =
    [
        "model", "data", "format", "backend", "workers", "groups", "batch", "lr", "momentum", "momentum-gain", "momentum-bounds",
        "momentum-period", "momentum-signal", "weight-decay", "schedule", "discipline", "staleness-policy", "updates", "epochs", "time", "target-loss", "target-accuracy", "validation", "seed", "data-seed", "out",
        "eval-every", "eval-size", "distribution", "cluster", "checkpoint-every", "max-memory", "compute-time", "comm-delay", "sync-cost", "straggler",
    ];

    /// <summary>Command-line names whose field in run.json has another name (beyond '-' versus '_').</summary>
    private static readonly Dictionary<string, string> Renames = new(StringComparer.Ordinal)
    {
        ["lr"] = "learning_rate",
        ["time"] = "time_seconds",
        ["out"] = "out_dir",
        ["max-memory"] = "max_memory_bytes",
    };

    /// <summary>Command-line names without a field of their own: applied after the fields, as the command line applies them.</summary>
    private static readonly HashSet<string> Specials =
        ["momentum-gain", "momentum-bounds", "momentum-period", "momentum-signal", "distribution", "compute-time", "comm-delay", "sync-cost", "straggler"];

    private static readonly JsonTypeInfo OptionsInfo = Json.Indented.GetTypeInfo(typeof(TrainingOptions));

    /// <summary>run.json's field names of <see cref="TrainingOptions"/>.</summary>
    private static readonly HashSet<string> Fields = OptionsInfo.Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The top-level fields of a run record (<see cref="RunRecord"/>): all documented, all but <c>config</c> ignored.</summary>
    private static readonly IReadOnlyList<string> RecordFields = Json.Indented.GetTypeInfo(typeof(RunRecord)).Properties.Select(p => p.Name).ToList();

    /// <summary>Deserialisation options: Polyak's JSON conventions plus the command-line names as aliases of their fields.</summary>
    private static readonly JsonSerializerOptions Reading = MakeReadingOptions();

    /// <summary>Reads the run file at <paramref name="path"/> (see the type's summary).</summary>
    public static TrainingOptions Load(string path) => Read(path).Options;

    /// <summary>
    /// Reads the run file at <paramref name="path"/> and says which keys only one backend reads (simulator settings, the
    /// cluster endpoint), so the caller can refuse them when the backend in force is another.
    /// </summary>
    public static RunFileContent Read(string path)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"--config: '{RunFileSchema.Shorten(path)}' is a folder; give a run file (a run.json or options as JSON)");
        if (!File.Exists(path)) throw new ArgumentException($"--config: file '{RunFileSchema.Shorten(path)}' does not exist");
        try
        {
            // Strict JSON: no comments, no trailing commas (a run file is data, and what one parser skips another reads).
            string text = File.ReadAllText(path);
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ArgumentException($"--config '{path}': expected a JSON object, got {RunFileSchema.Describe(root)}");
            bool record = root.TryGetProperty("config", out var element);
            string prefix = "";
            if (record)
            {
                foreach (var p in root.EnumerateObject())
                    if (!RecordFields.Contains(p.Name, StringComparer.Ordinal))
                        throw Unknown(path, p.Name, RecordFields, $"a run record has: {string.Join(", ", RecordFields)}");
                if (element.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{path}: 'config' must be a JSON object, got {RunFileSchema.Describe(element)}");
                prefix = "config.";
            }
            else element = root;

            var specials = CheckKeys(path, element, prefix);
            // momentum may be a number or a spec string ("auto:0.8"), read by its own converter.
            RunFileSchema.Check(path, text, element, typeof(TrainingOptions), prefix, key => Resolve(key) is string f && Fields.Contains(f) && f != "momentum" ? f : null);
            var o = element.Deserialize<TrainingOptions>(Reading) ?? throw new ArgumentException($"--config '{path}': empty configuration");
            try
            {
                o = ApplySpecials(o, element, specials, prefix);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"{path}: {ex.Message}");
            }
            // Keys only one backend reads: in a run record, simulator settings count only when they differ from the defaults
            // (a record always has them); a cluster endpoint counts when it is set.
            var simulatorKeys = new List<string>();
            foreach (var p in element.EnumerateObject())
            {
                string? name = Resolve(p.Name);
                bool simulatorKey = name is "simulation" or "distribution" or "compute-time" or "comm-delay" or "sync-cost" or "straggler";
                if (simulatorKey && !(record && name == "simulation" && o.Simulation == DefaultSimulation(o.Simulation))) simulatorKeys.Add(prefix + p.Name);
            }
            string? clusterKey = element.EnumerateObject().Where(p => Resolve(p.Name) == "cluster" && p.Value.ValueKind != JsonValueKind.Null)
                .Select(p => p.Name).FirstOrDefault();
            // A re-run of a run record never writes into the recorded run folder; bare options may name their --out.
            return new RunFileContent(record ? o with { OutDir = null } : o, path, simulatorKeys, clusterKey is null ? null : prefix + clusterKey);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"--config '{path}': invalid JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {JsonMessage(ex)}");
        }
        catch (InvalidOperationException ex) when (ex.Source == "System.Text.Json")
        {
            throw new ArgumentException($"--config '{path}': {ex.Message}");
        }
    }

    /// <summary>Default simulator settings (a record equals them unless a simulator option was set).</summary>
    private static SimulationOptions DefaultSimulation(SimulationOptions given) =>
        given.Slowdown is { Count: 0 } ? new SimulationOptions { Slowdown = given.Slowdown } : new SimulationOptions();

    /// <summary>The reader's message without its position suffix and its advice to change reader options.</summary>
    private static string JsonMessage(JsonException ex)
    {
        string m = ex.Message;
        foreach (string cut in new[] { " LineNumber:", " Path:", " Change the reader options." })
        {
            int i = m.IndexOf(cut, StringComparison.Ordinal);
            if (i >= 0) m = m[..i];
        }
        m = m.Replace(" which is not supported in this mode.", ".", StringComparison.Ordinal).Trim();
        return RunFileSchema.Shorten(m, 200);
    }

    /// <summary>
    /// Checks every key of the options object (and of nested option objects such as <c>simulation</c>): each must be a
    /// field or a command-line name, and no two may set the same thing. Returns the command-line-only keys to apply.
    /// </summary>
    private static Dictionary<string, string> CheckKeys(string path, JsonElement element, string prefix)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal); // field or special name -> key that set it
        var specials = new Dictionary<string, string>(StringComparer.Ordinal); // special name -> key
        foreach (var p in element.EnumerateObject())
        {
            string? name = Resolve(p.Name);
            if (name is null) throw Unknown(path, prefix + p.Name, CliNames.Concat(Fields), AcceptedHint);
            if (seen.TryGetValue(name, out string? first))
                throw new ArgumentException($"{path}: keys '{prefix}{first}' and '{prefix}{p.Name}' both set {name}; give one");
            seen[name] = p.Name;
            if (Specials.Contains(name) || (name == "momentum" && p.Value.ValueKind == JsonValueKind.String)) specials[name] = p.Name;
            else if (p.Value.ValueKind == JsonValueKind.Object)
                CheckNested(path, p.Value, OptionsInfo.Properties.First(x => x.Name == name).PropertyType, $"{prefix}{p.Name}.");
        }
        return specials;
    }

    /// <summary>Checks the keys of a nested options object (e.g. <c>simulation</c>, <c>auto_momentum</c>) against its type.</summary>
    private static void CheckNested(string path, JsonElement element, Type type, string prefix)
    {
        var info = Json.Indented.GetTypeInfo(Nullable.GetUnderlyingType(type) ?? type);
        if (info.Kind != JsonTypeInfoKind.Object) return; // e.g. a dictionary: any key
        var names = info.Properties.Select(x => x.Name).ToList();
        foreach (var p in element.EnumerateObject())
        {
            var property = info.Properties.FirstOrDefault(x => x.Name == p.Name)
                ?? throw Unknown(path, prefix + p.Name, names, $"accepted: {string.Join(", ", names)}");
            if (p.Value.ValueKind == JsonValueKind.Object) CheckNested(path, p.Value, property.PropertyType, $"{prefix}{p.Name}.");
        }
    }

    /// <summary>The field or command-line-only name a key sets, or null when the key is unknown.</summary>
    private static string? Resolve(string key)
    {
        if (Fields.Contains(key)) return key;
        string dashed = key.Replace('_', '-');
        if (Renames.TryGetValue(dashed, out string? field)) return field;
        if (Specials.Contains(dashed)) return dashed;
        string underscored = key.Replace('-', '_');
        return Fields.Contains(underscored) ? underscored : null;
    }

    /// <summary>Every accepted key: the command-line names first, then the fields without a command-line name.</summary>
    private static readonly IReadOnlyList<string> AcceptedNames =
        CliNames.Concat(Fields.Where(f => !CliNames.Any(c => Resolve(c) == f))).ToList();

    private static readonly string AcceptedHint =
        $"accepted: {string.Join(", ", CliNames)}, {string.Join(", ", AcceptedNames.Skip(CliNames.Count))}, or any field name of run.json's config such as learning_rate";

    /// <summary>The error for an unknown key: the closest accepted name when one is close, else the list.</summary>
    private static ArgumentException Unknown(string path, string key, IEnumerable<string> accepted, string list)
    {
        string word = key[(key.LastIndexOf('.') + 1)..].ToLowerInvariant();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string name in accepted)
        {
            int d = UsageErrors.Distance(word, name);
            if (d < bestDistance) (best, bestDistance) = (name, d);
        }
        int allowed = word.Length <= 4 ? 1 : word.Length <= 8 ? 2 : 3;
        string hint = best is not null && bestDistance <= allowed ? $"did you mean '{best}'?" : list;
        return new ArgumentException($"{path}: unknown key '{RunFileSchema.Shorten(key)}' ({hint})");
    }

    /// <summary>Applies the command-line-only keys in the command line's order: momentum spec, auto momentum settings, simulator.</summary>
    private static TrainingOptions ApplySpecials(TrainingOptions o, JsonElement element, Dictionary<string, string> specials, string prefix)
    {
        JsonElement? Get(string name) => specials.TryGetValue(name, out string? key) ? element.GetProperty(key) : null;
        string KeyOf(string name) => prefix + specials[name];

        if (Get("momentum") is { } mu) o = TrainingOptionSet.ApplyMomentum(o, mu.GetString()!);
        double? gain = Get("momentum-gain") is { } g ? Number(g, KeyOf("momentum-gain")) : null;
        string? bounds = Get("momentum-bounds") is { } b ? Bounds(b, KeyOf("momentum-bounds")) : null;
        int? period = Get("momentum-period") is { } k ? (k.ValueKind == JsonValueKind.Number && k.TryGetInt32(out int n) ? n
            : throw new ArgumentException($"'{KeyOf("momentum-period")}' must be a whole number")) : null;
        string? signal = Get("momentum-signal") is { } sg ? Text(sg, KeyOf("momentum-signal")) : null;
        o = TrainingOptionSet.ApplyAutoMomentumSettings(o, gain, bounds, period, signal);

        var s = o.Simulation;
        if (Get("distribution") is { } dist) s = s with { Distribution = Text(dist, KeyOf("distribution")) };
        if (Get("compute-time") is { } ct) s = s with { MeanComputeTime = Number(ct, KeyOf("compute-time")) };
        if (Get("comm-delay") is { } cd) s = s with { CommunicationDelay = Number(cd, KeyOf("comm-delay")) };
        if (Get("sync-cost") is { } sc)
        {
            var (sb, per) = SimulationOptionSet.ParseSyncCost(Text(sc, KeyOf("sync-cost")));
            s = s with { SyncBase = sb, SyncPerWorker = per };
        }
        if (Get("straggler") is { } st)
        {
            string[] items = st.ValueKind == JsonValueKind.Array
                ? st.EnumerateArray().Select(x => Text(x, KeyOf("straggler"))).ToArray()
                : [Text(st, KeyOf("straggler"))];
            s = s with { Slowdown = SimulationOptionSet.ParseStragglers(items) };
        }
        return o with { Simulation = s };
    }

    private static double Number(JsonElement v, string key) =>
        v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new ArgumentException($"'{key}' must be a number, got {RunFileSchema.Describe(v)}");

    private static string Text(JsonElement v, string key) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Number => v.GetRawText(),
        _ => throw new ArgumentException($"'{key}' must be a string, got {RunFileSchema.Describe(v)}"),
    };

    /// <summary>Auto-momentum bounds as <c>"MIN,MAX"</c> or <c>[MIN, MAX]</c>.</summary>
    private static string Bounds(JsonElement v, string key) => v.ValueKind == JsonValueKind.Array
        ? string.Join(",", v.EnumerateArray().Select(x => Number(x, key).ToString("R", CultureInfo.InvariantCulture)))
        : Text(v, key);

    private static JsonSerializerOptions MakeReadingOptions()
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(AddAliases);
        return new JsonSerializerOptions(Json.Indented) { TypeInfoResolver = resolver };
    }

    /// <summary>
    /// Adds the command-line names of <see cref="TrainingOptions"/>'s fields as alias properties that set the same field,
    /// so that deserialisation reads the file itself (and its errors keep their line numbers). A string <c>momentum</c>
    /// (<c>auto[:TARGET]</c>) is skipped here and applied afterwards.
    /// </summary>
    private static void AddAliases(JsonTypeInfo info)
    {
        if (info.Type != typeof(TrainingOptions)) return;
        var fields = info.Properties.ToList();
        var aliases = Renames.Select(r => (Alias: r.Key, Field: r.Value))
            .Concat(fields.Where(f => f.Name.Contains('_')).Select(f => (Alias: f.Name.Replace('_', '-'), Field: f.Name)));
        foreach (var (alias, field) in aliases)
        {
            var target = fields.First(f => f.Name == field);
            var p = info.CreateJsonPropertyInfo(target.PropertyType, alias);
            p.Set = target.Set;
            p.CustomConverter = target.CustomConverter;
            p.NumberHandling = target.NumberHandling;
            info.Properties.Add(p);
        }
        fields.First(f => f.Name == "momentum").CustomConverter = new NumberOrSpecConverter();
    }

    /// <summary>Reads <c>momentum</c>: a number, or null for a string spec (applied after deserialisation).</summary>
    private sealed class NumberOrSpecConverter : JsonConverter<double?>
    {
        public override bool HandleNull => true;

        public override double? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.Null or JsonTokenType.String => null, // a string spec is applied afterwards
            JsonTokenType.Number => reader.GetDouble(),
            _ => throw new JsonException("momentum must be a number or \"auto[:TARGET]\""),
        };

        public override void Write(Utf8JsonWriter writer, double? value, JsonSerializerOptions options) =>
            throw new NotSupportedException("run files are only read with these options");
    }
}
