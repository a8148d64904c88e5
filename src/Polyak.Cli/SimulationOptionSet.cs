using System.CommandLine;
using System.Globalization;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>
/// The simulator's hardware-model options shared by train, tune, study and optimize (<c>--backend simulated</c>):
/// <c>--compute-time</c>, <c>--comm-delay</c>, <c>--sync-cost BASE[:PER_WORKER]</c>, <c>--straggler INDEX:FACTOR</c>.
/// (<c>--distribution</c> lives in <see cref="TrainingOptionSet"/>.)
/// </summary>
public sealed class SimulationOptionSet
{
    public readonly Option<double?> ComputeTime = new("--compute-time") { Description = "Simulator: mean simulated seconds of one full-batch gradient on one worker (default 1)" };
    public readonly Option<double?> CommDelay = new("--comm-delay") { Description = "Simulator: communication delay added to every update cycle, simulated seconds (default 0)" };
    public readonly Option<string?> SyncCost = new("--sync-cost") { Description = "Simulator: synchronisation cost of a group of k > 1 workers, BASE[:PER_WORKER] = BASE + PER_WORKER (k - 1) simulated seconds" };
    public readonly Option<string[]> Straggler = new("--straggler") { Description = "Simulator: slow worker INDEX:FACTOR (repeatable or comma-separated, e.g. 0:4,3:2)" };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { ComputeTime, CommDelay, SyncCost, Straggler }) command.Options.Add(o);
    }

    /// <summary>Applies the given options over <paramref name="o"/> and validates the simulator settings.</summary>
    public TrainingOptions Apply(ParseResult p, TrainingOptions o)
    {
        var s = o.Simulation;
        if (p.GetValue(ComputeTime) is double ct) s = s with { MeanComputeTime = ct };
        if (p.GetValue(CommDelay) is double cd) s = s with { CommunicationDelay = cd };
        if (p.GetValue(SyncCost) is string sc)
        {
            var (b, per) = ParseSyncCost(sc);
            s = s with { SyncBase = b, SyncPerWorker = per };
        }
        if (p.GetValue(Straggler) is { Length: > 0 } st) s = s with { Slowdown = ParseStragglers(st) };
        o = o with { Simulation = s };
        ClockModel.Validate(o.Simulation, o.Workers);
        return o;
    }

    /// <summary>Parses <c>BASE[:PER_WORKER]</c>.</summary>
    public static (double Base, double PerWorker) ParseSyncCost(string spec)
    {
        string[] parts = spec.Split(':');
        if (parts.Length is < 1 or > 2 || !TryParse(parts[0], out double b) || (parts.Length == 2 ? !TryParse(parts[1], out double per) : (per = 0) != 0))
            throw new ArgumentException($"--sync-cost must be BASE[:PER_WORKER] (simulated seconds), got '{spec}'");
        return (b, per);
    }

    /// <summary>Parses <c>INDEX:FACTOR</c> items (each argument may hold a comma-separated list).</summary>
    public static Dictionary<int, double> ParseStragglers(IEnumerable<string> specs)
    {
        var result = new Dictionary<int, double>();
        foreach (string item in specs.SelectMany(x => x.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            string[] parts = item.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int index) || !TryParse(parts[1], out double factor))
                throw new ArgumentException($"--straggler must be INDEX:FACTOR (e.g. 0:4), got '{item}'");
            if (!result.TryAdd(index, factor)) throw new ArgumentException($"--straggler: worker {index} is given twice");
        }
        return result;
    }

    private static bool TryParse(string s, out double x) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out x);
}
