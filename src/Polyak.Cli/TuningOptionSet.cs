using System.CommandLine;
using System.Globalization;
using Polyak.Execution;
using Polyak.Tuning;

namespace Polyak.Cli;

/// <summary>The grid options shared by <c>tune</c> and <c>study</c>: learning rates, momenta, seeds, halving, parallelism.</summary>
public sealed class TuningOptionSet
{
    public readonly Option<string?> Lrs = new("--lrs") { Description = "Learning rates, comma-separated (default: a log grid, factor 2, around --lr or the model's default)" };
    public readonly Option<string?> Momenta = new("--momenta") { Description = "Momenta in (-1, 1), comma-separated (default -0.6,-0.3,0,0.3,0.6,0.9)" };
    public readonly Option<int?> Seeds = new("--seeds") { Description = "Seeds per grid point K (seeds S..S+K-1; median and spread are reported)" };
    public readonly Option<bool> Halving = new("--halving") { Description = "Successive halving: run all points on a quarter of the budget, keep the best half, double, repeat" };
    public readonly Option<int?> Parallel = new("--parallel") { Description = "Runs executed at once (default: the core count; 1 for multi-worker threads runs)" };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Lrs, Momenta, Seeds, Halving, Parallel }) command.Options.Add(o);
    }

    /// <summary>
    /// Rejects train options given on the command line that <paramref name="command"/> sets itself or cannot honour, so
    /// none is silently ignored: throws one error naming each such option and what to use instead. Values that come from
    /// <c>--config</c> (e.g. a run.json, which holds every option) are not checked: they are a base the command overrides.
    /// </summary>
    public static void RejectOverridden(ParseResult p, string command, params (Option Option, string Instead)[] overridden)
    {
        var given = overridden.Where(x => p.GetResult(x.Option) is { Implicit: false }).ToArray();
        if (given.Length == 0) return;
        throw new ArgumentException(given.Length == 1
            ? $"{command} does not take {given[0].Option.Name}: {given[0].Instead}"
            : $"{command} does not take {string.Join(", ", given.Select(g => g.Option.Name))}: " + string.Join("; ", given.Select(g => $"{g.Option.Name}: {g.Instead}")));
    }

    /// <summary>Hides the refused options from <c>--help</c> (they stay parseable, so using one gets the clear refusal).</summary>
    public static void HideFromHelp(IEnumerable<(Option Option, string Instead)> overridden)
    {
        foreach (var (option, _) in overridden) option.Hidden = true;
    }

    /// <summary>The train options <c>tune</c> and <c>study</c> set themselves or cannot honour, with what to use instead.</summary>
    public static (Option, string)[] GridOverrides(TrainingOptionSet set, string command) =>
    [
        (set.Momentum, $"{command} searches the momentum; give its grid with --momenta"),
        (set.MomentumGain, $"{command} runs fixed momenta (no --momentum auto)"),
        (set.MomentumBounds, $"{command} runs fixed momenta (no --momentum auto)"),
        (set.MomentumPeriod, $"{command} runs fixed momenta (no --momentum auto)"),
        (set.MomentumSignal, $"{command} runs fixed momenta (no --momentum auto)"),
        (set.Time, $"{command} gives every run the same budget in updates; use --updates or --epochs"),
        (set.Resume, $"{command} resumes from its journal: rerun the same command with the same --out"),
        (set.AllowChangedData, $"{command} resumes from its journal, not from a checkpoint"),
        (set.CheckpointEvery, $"{command}'s runs keep no checkpoints; its journal (tune.jsonl in --out) is what a rerun resumes from"),
    ];

    /// <summary>Parses a comma-separated list of numbers; throws naming the option and the bad item.</summary>
    public static double[] ParseList(string spec, string option)
    {
        var items = spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0) throw new ArgumentException($"{option}: empty list");
        var result = new double[items.Length];
        for (int i = 0; i < items.Length; i++)
            if (!double.TryParse(items[i], NumberStyles.Float, CultureInfo.InvariantCulture, out result[i]) || !double.IsFinite(result[i]))
                throw new ArgumentException($"{option}: item {i + 1} '{items[i]}' is not a number (expected a comma-separated list such as 0.01,0.1)");
        return result;
    }

    /// <summary>Parses a comma-separated list of positive integers.</summary>
    public static int[] ParseIntList(string spec, string option) =>
        ParseList(spec, option).Select((x, i) => x == Math.Floor(x) && x >= 1 && x <= int.MaxValue ? (int)x
            : throw new ArgumentException($"{option}: item {i + 1} '{x.ToString(CultureInfo.InvariantCulture)}' is not a positive integer")).ToArray();

    /// <summary>The update budget: --updates, else --epochs converted with the data size, else <paramref name="fallback"/>.</summary>
    public static long Budget(TrainingOptions o, int trainRows, long fallback) =>
        o.Updates ?? (o.Epochs is double e ? Math.Max(1, (long)Math.Ceiling(e * trainRows / ResolvedOptions.BatchFor(o, o.Model))) : fallback);

    /// <summary>
    /// Prints each line the journal could not read (line number and why) and says those runs are redone; at most ten
    /// lines, then how many more.
    /// </summary>
    public static void WarnJournalProblems(TuningJournal journal)
    {
        foreach (string problem in journal.Problems.Take(10))
            Console.Error.WriteLine($"warning: {journal.Path}: {problem}; that run is redone");
        if (journal.Problems.Count > 10)
            Console.Error.WriteLine($"warning: {journal.Path}: {journal.Problems.Count - 10} more unreadable line(s); those runs are redone");
    }
}
