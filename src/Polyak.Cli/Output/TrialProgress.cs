using System.Diagnostics;
using System.Globalization;
using Polyak.Tuning;

namespace Polyak.Cli;

/// <summary>
/// The progress lines of <c>tune</c> and <c>study</c> on stderr, one per finished run: <c>[done/total]</c> (the total is
/// an upper bound, shown <c>&lt;=</c>, with halving), the run and its outcome, and an ETA from the runs executed so far
/// (runs reused from the journal cost nothing and do not count towards the rate). Thread-safe.
/// </summary>
public sealed class TrialProgress(int total, bool exact)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _lock = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private int _done, _executed;

    /// <summary>Runs finished, reused or pruned so far.</summary>
    public int Done { get { lock (_lock) return _done; } }

    /// <summary>Prints the line of a finished (or reused, or pruned) run.</summary>
    public void Report(TrialResult t, bool reused)
    {
        string line;
        lock (_lock)
        {
            // A run seen before (a later round of --extend-edges reuses the journal): counted once, not printed again.
            if (!_seen.Add(t.Key)) return;
            _done++;
            bool trained = !reused && t.Status != TrialResult.Pruned;
            if (trained) _executed++;
            string outcome = t.Status switch
            {
                TrialResult.Reached => $"reached at update {t.UpdatesToTarget}",
                TrialResult.Censored => string.Create(CultureInfo.InvariantCulture, $"censored (loss {t.FinalLoss:G4} after {t.Updates})"),
                TrialResult.Pruned => $"pruned ({t.Reason})",
                _ => t.Status,
            };
            string cost = reused ? " (journal)" : trained ? string.Create(CultureInfo.InvariantCulture, $" ({t.WallSeconds:F2} s)") : "";
            int remaining = Math.Max(0, total - _done);
            string eta = _executed > 0 && remaining > 0 ? $", ETA {Duration(_clock.Elapsed.TotalSeconds / _executed * remaining)}" : "";
            line = string.Create(CultureInfo.InvariantCulture,
                $"[{_done}/{(exact ? "" : "<=")}{Math.Max(total, _done)}] g={t.Groups} lr {t.LearningRate:G4} mu {t.Momentum:0.##} seed {t.Seed}: {outcome}{cost}{eta}");
        }
        Console.Error.WriteLine(line);
    }

    /// <summary>A duration for people: <c>42s</c>, <c>3m05s</c>, <c>1h02m</c>.</summary>
    public static string Duration(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) return "?";
        long s = (long)Math.Round(seconds);
        return s < 60 ? $"{s}s" : s < 3600 ? $"{s / 60}m{s % 60:00}s" : $"{s / 3600}h{s % 3600 / 60:00}m";
    }
}
