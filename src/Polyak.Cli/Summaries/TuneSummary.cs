using Polyak.Tuning;

namespace Polyak.Cli;

/// <summary>The <c>--json</c> line of <c>polyak tune</c>.</summary>
public sealed record TuneSummary
{
    /// <summary>Workers N.</summary>
    public int Workers { get; init; }

    /// <summary>Compute groups g.</summary>
    public int Groups { get; init; }

    /// <summary>Learning rate of the best point.</summary>
    public double? BestLr { get; init; }

    /// <summary>Momentum of the best point.</summary>
    public double? BestMomentum { get; init; }

    /// <summary>The best point's score: median updates to target (or its final loss / budget when censored).</summary>
    public double? UpdatesToTarget { get; init; }

    /// <summary>The best point's status.</summary>
    public string? Status { get; init; }

    /// <summary>Points tied with the best (same score; the tie-break chose the best), as [lr, mu] pairs; empty when none.</summary>
    public IReadOnlyList<double[]> TiedWithBest { get; init; } = [];

    /// <summary>Learning rate of the best point with momentum >= 0.</summary>
    public double? BestNonnegLr { get; init; }

    /// <summary>Momentum of the best point with momentum >= 0.</summary>
    public double? BestNonnegMomentum { get; init; }

    /// <summary>Score of the best point with momentum >= 0.</summary>
    public double? UpdatesToTargetNonneg { get; init; }

    /// <summary>Runs executed now.</summary>
    public int RunsExecuted { get; init; }

    /// <summary>Runs taken from the journal.</summary>
    public int RunsReused { get; init; }

    /// <summary>Runs skipped by pruning.</summary>
    public int RunsPruned { get; init; }

    /// <summary>Seconds of run time.</summary>
    public double CostSeconds { get; init; }

    /// <summary>Every grid point.</summary>
    public required IReadOnlyList<TunePointSummary> Points { get; init; }

    /// <summary>The journal file.</summary>
    public required string Journal { get; init; }

    /// <summary>The grid table.</summary>
    public required string Report { get; init; }

    /// <summary>The summary of <paramref name="result"/> written in <paramref name="dir"/>.</summary>
    public static TuneSummary Of(TuningResult result, string dir)
    {
        var b = result.Request.Base;
        var best = result.Best;
        var nonneg = result.BestWhere(x => x.Momentum >= 0);
        return new TuneSummary
        {
            Workers = b.Workers,
            Groups = b.Groups ?? b.Workers,
            BestLr = best?.LearningRate,
            BestMomentum = best?.Momentum,
            UpdatesToTarget = best?.Score,
            Status = best?.Status,
            TiedWithBest = result.TiedBestWhere(_ => true).Skip(1).Select(p => new[] { p.LearningRate, p.Momentum }).ToArray(),
            BestNonnegLr = nonneg?.LearningRate,
            BestNonnegMomentum = nonneg?.Momentum,
            UpdatesToTargetNonneg = nonneg?.Score,
            RunsExecuted = result.RunsExecuted,
            RunsReused = result.RunsReused,
            RunsPruned = result.RunsPruned,
            CostSeconds = result.CostSeconds,
            Points = result.Points.Select(x => new TunePointSummary(x.LearningRate, x.Momentum, x.Status, x.MedianUpdates, x.MinUpdates, x.MaxUpdates, x.Median.FinalLoss)).ToArray(),
            Journal = Path.Combine(dir, "tune.jsonl"),
            Report = Path.Combine(dir, "grid.csv"),
        };
    }
}
