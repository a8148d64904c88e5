using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Polyak.Cli;

/// <summary>
/// Turns System.CommandLine's parse errors into short <c>error:</c> lines a user can act on: option values that do
/// not parse name the option and the expected kind of value (never a .NET type name), an unknown or missing command
/// is one line listing the commands (with a suggestion when the word is close to one), unknown options suggest the
/// nearest option.
/// </summary>
public static class UsageErrors
{
    /// <summary>The messages (without the <c>error: </c> prefix) for the errors of <paramref name="parse"/>; empty when there are none.</summary>
    public static IReadOnlyList<string> Describe(ParseResult parse)
    {
        if (parse.Errors.Count == 0) return [];
        var command = parse.CommandResult.Command;
        var unmatched = parse.UnmatchedTokens;

        // A command that only groups subcommands (polyak, polyak cluster): one line, whatever else went wrong.
        if (command.Action is null && command.Subcommands.Count > 0)
        {
            var names = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
            string list = $"(commands: {string.Join(", ", names)})";
            if (unmatched.FirstOrDefault(t => !t.StartsWith('-')) is string word)
                return [$"unknown command '{word}'{Suggest(word, names)} {list}"];
            if (unmatched.FirstOrDefault() is string option)
                return [$"unknown option '{option}'; expected a command {list}"];
            return [$"no command given {list}"];
        }

        var messages = new List<string>();
        var optionNames = command.Options.Concat(AncestorOptions(parse.CommandResult))
            .Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct().ToList();
        bool afterUnknownOption = false;
        foreach (string token in unmatched)
        {
            if (token.StartsWith('-') && token.Length > 1 && !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                messages.Add($"unknown option '{token}'{Suggest(token, optionNames)}");
                afterUnknownOption = true;
            }
            else if (!afterUnknownOption) messages.Add($"unexpected argument '{token}'");
            else afterUnknownOption = false; // probably the unknown option's value: one line is enough
        }

        foreach (var error in parse.Errors)
        {
            // Unmatched tokens are reported above (System.CommandLine has one error per token, naming it).
            if (error.SymbolResult is null or CommandResult && unmatched.Any(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal)))
                continue;
            messages.Add(Rewrite(error) ?? error.Message);
        }
        return messages.Distinct().ToList();
    }

    /// <summary>A value that does not convert to its option's type, in words; null when <paramref name="error"/> is something else.</summary>
    private static string? Rewrite(ParseError error)
    {
        var optionResult = error.SymbolResult as OptionResult ?? (error.SymbolResult as ArgumentResult)?.Parent as OptionResult;
        if (optionResult is null) return null;
        if (optionResult.Tokens.Count == 0 && optionResult.Option.Arity.MinimumNumberOfValues > 0)
            return $"{optionResult.Option.Name} needs a value";
        var type = Nullable.GetUnderlyingType(optionResult.Option.ValueType) ?? optionResult.Option.ValueType;
        foreach (var token in optionResult.Tokens)
        {
            if (Problem(token.Value, type) is string problem)
                return $"{optionResult.Option.Name}: '{token.Value}' {problem}";
        }
        return null;
    }

    /// <summary>What is wrong with <paramref name="value"/> as a <paramref name="type"/> (null when it parses, or for types this does not know).</summary>
    internal static string? Problem(string value, Type type)
    {
        var c = CultureInfo.InvariantCulture;
        bool isInteger = long.TryParse(value, NumberStyles.Integer, c, out _) || ulong.TryParse(value, NumberStyles.Integer, c, out _);
        return type switch
        {
            _ when type == typeof(double) || type == typeof(float) =>
                double.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, c, out _) ? null : "is not a number",
            _ when type == typeof(int) => int.TryParse(value, NumberStyles.Integer, c, out _) ? null
                : isInteger ? $"is out of range (at most {int.MaxValue})" : "is not an integer",
            _ when type == typeof(long) => long.TryParse(value, NumberStyles.Integer, c, out _) ? null
                : isInteger ? $"is out of range (at most {long.MaxValue})" : "is not an integer",
            _ when type == typeof(uint) || type == typeof(ulong) => ulong.TryParse(value, NumberStyles.None, c, out ulong u)
                ? (type == typeof(uint) && u > uint.MaxValue ? $"is out of range (at most {uint.MaxValue})" : null)
                : "is not a non-negative integer",
            _ when type == typeof(bool) => bool.TryParse(value, out _) ? null : "is not true or false",
            _ => null,
        };
    }

    /// <summary>Options of enclosing commands that apply to subcommands (recursive options such as --help).</summary>
    private static IEnumerable<Option> AncestorOptions(CommandResult result)
    {
        for (var r = result.Parent as CommandResult; r is not null; r = r.Parent as CommandResult)
            foreach (var o in r.Command.Options)
                if (o.Recursive) yield return o;
    }

    /// <summary><c>, did you mean 'x'?</c> for the closest candidate when it is close enough; else empty.</summary>
    internal static string Suggest(string word, IEnumerable<string> candidates)
    {
        string w = word.ToLowerInvariant();
        var best = candidates
            .Select(cand => (Name: cand, Distance: Distance(w, cand.ToLowerInvariant())))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        if (best.Name is null) return "";
        string bare = w.TrimStart('-');
        int allowed = bare.Length <= 3 ? 1 : bare.Length <= 6 ? 2 : 3;
        return best.Distance <= allowed ? $", did you mean '{best.Name}'?" : "";
    }

    /// <summary>Edit distance with adjacent transpositions (optimal string alignment).</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
