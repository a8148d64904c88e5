namespace Polyak.Tuning;

/// <summary>
/// The outcome of a tune: every grid point with its runs (pruned points included), the best point overall and
/// under a momentum policy, and what the tune cost (runs executed, reused from the journal, pruned).
/// </summary>
public sealed record TuningResult
{
    /// <summary>The request that was tuned.</summary>
    public required TuningRequest Request { get; init; }

    /// <summary>Grid points ordered by learning rate then momentum.</summary>
    public required IReadOnlyList<TuningPoint> Points { get; init; }

    /// <summary>
    /// The ends of a grid (with at least two values on that axis) that the point (<paramref name="lr"/>,
    /// <paramref name="momentum"/>) sits on, in the order lr lowest, lr highest, momentum lowest, momentum highest;
    /// <c>End</c> is "lowest" or "highest". A best point there may have its optimum outside the grid.
    /// </summary>
    public static IEnumerable<(bool Momentum, string End)> GridEdges(double lr, double momentum, IReadOnlyList<double> lrs, IReadOnlyList<double> momenta)
    {
        if (lrs.Count > 1 && lr == lrs.Min()) yield return (false, "lowest");
        if (lrs.Count > 1 && lr == lrs.Max()) yield return (false, "highest");
        if (momenta.Count > 1 && momentum == momenta.Min()) yield return (true, "lowest");
        if (momenta.Count > 1 && momentum == momenta.Max()) yield return (true, "highest");
    }

    /// <summary>Runs executed by this call.</summary>
    public int RunsExecuted { get; init; }

    /// <summary>Runs found finished in the journal and reused.</summary>
    public int RunsReused { get; init; }

    /// <summary>Runs skipped by monotonicity pruning.</summary>
    public int RunsPruned { get; init; }

    /// <summary>Wall seconds of the runs executed by this call (summed over runs).</summary>
    public double CostSeconds { get; init; }

    /// <summary>Updates of the runs executed by this call.</summary>
    public long CostUpdates { get; init; }

    /// <summary>The best point over the whole grid, or null when the grid is empty.</summary>
    public TuningPoint? Best => BestWhere(_ => true);

    /// <summary>The best point among those satisfying <paramref name="policy"/> (e.g. momentum >= 0).</summary>
    public TuningPoint? BestWhere(Func<TuningPoint, bool> policy)
    {
        TuningPoint? best = null;
        foreach (var p in Points)
            if (policy(p) && (best is null || TrialRanking.Compare(p, best) < 0)) best = p;
        return best;
    }

    /// <summary>
    /// The points satisfying <paramref name="policy"/> tied with its best (<see cref="TrialRanking.Tied"/>), the best
    /// first; just the best when nothing ties; empty when there is no best.
    /// </summary>
    public IReadOnlyList<TuningPoint> TiedBestWhere(Func<TuningPoint, bool> policy)
    {
        var best = BestWhere(policy);
        if (best is null) return [];
        return [best, .. Points.Where(p => policy(p) && !ReferenceEquals(p, best) && TrialRanking.Tied(p, best)).OrderBy(p => p, Comparer<TuningPoint>.Create(TrialRanking.Compare))];
    }

    /// <summary>Every run of the tune (pruned placeholders included), ordered by level, learning rate, momentum, seed.</summary>
    public IEnumerable<TrialResult> Trials => Points.SelectMany(p => p.Trials);
}
