using Polyak.Tuning;

namespace Polyak.Cli;

/// <summary>The <c>--json</c> line of <c>polyak study</c> (field names are a contract).</summary>
public sealed record StudySummary
{
    /// <summary>One entry per level of asynchrony.</summary>
    public required IReadOnlyList<StudyLevelSummary> Levels { get; init; }

    /// <summary>Whether the best momentum is non-increasing in g.</summary>
    public bool Monotone { get; init; }

    /// <summary>Runs executed now.</summary>
    public int RunsExecuted { get; init; }

    /// <summary>Runs taken from the journal.</summary>
    public int RunsReused { get; init; }

    /// <summary>Runs skipped by pruning.</summary>
    public int RunsPruned { get; init; }

    /// <summary>Seconds of run time.</summary>
    public double CostSeconds { get; init; }

    /// <summary>The report's index.html.</summary>
    public required string Report { get; init; }

    /// <summary>The summary of <paramref name="r"/>, whose report is <paramref name="index"/>.</summary>
    public static StudySummary Of(StudyResult r, string index) => new()
    {
        Levels = r.Levels.Select(l => new StudyLevelSummary
        {
            Groups = l.Groups,
            BestLr = l.BestLr,
            BestMomentum = l.BestMomentum,
            UpdatesToTarget = l.UpdatesToTarget,
            PenaltyFixed09 = l.PenaltyFixed09,
            PenaltyNonneg = l.PenaltyNonneg,
            PenaltyWithNegative = l.PenaltyWithNegative,
            Status = l.Status,
            ImplicitMomentum = l.ImplicitMomentum,
            PredictedExplicitMomentum = l.PredictedExplicitMomentum,
            TimePerUpdate = l.TimePerUpdate,
            PredictedTimeToTarget = l.PredictedTimeToTarget,
            TiedMomenta = l.WithNegative.TiedMomenta,
            GridEdges = new[] { ("mu=0.9", l.Fixed09), ("mu>=0", l.Nonneg), ("any mu", l.WithNegative) }
                .SelectMany(x => x.Item2.Edges.Select(e => $"{x.Item1}: {e}")).ToArray(),
        }).ToArray(),
        Monotone = r.Monotone,
        RunsExecuted = r.RunsExecuted,
        RunsReused = r.RunsReused,
        RunsPruned = r.RunsPruned,
        CostSeconds = r.CostSeconds,
        Report = index,
    };
}
