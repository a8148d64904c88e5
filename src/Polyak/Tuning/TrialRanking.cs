namespace Polyak.Tuning;

/// <summary>
/// The order of runs and grid points, best first: reached runs by updates to target (then final loss);
/// censored runs after them by final loss; diverged and failed runs next; pruned runs last. Ties break on
/// learning rate, momentum and seed so the order never depends on finishing order.
/// <para>
/// A grid point is ranked by the value it is shown and scored with (<see cref="TuningPoint.Score"/>: the median of its
/// seeds' updates to target; for an even number of seeds the mean of the two middle runs when both reached), never by
/// another statistic, so choosing, scoring and showing agree and the best point of a larger grid is never worse than the
/// best of a grid it contains. Points with equal scores are <see cref="Tied"/>: the tie is broken by the median run's
/// final loss, then the smaller learning rate, then the smaller momentum, and reported as a tie.
/// </para>
/// </summary>
public static class TrialRanking
{
    /// <summary>Rank class: 0 reached, 1 censored, 2 diverged or failed, 3 pruned.</summary>
    public static int Class(TrialResult t) => t.Status switch
    {
        TrialResult.Reached => 0,
        TrialResult.Censored => 1,
        TrialResult.Pruned => 3,
        _ => 2,
    };

    /// <summary>Compares two runs, best first.</summary>
    public static int Compare(TrialResult a, TrialResult b)
    {
        int c = Class(a).CompareTo(Class(b));
        if (c != 0) return c;
        if (Class(a) == 0)
        {
            c = (a.UpdatesToTarget ?? long.MaxValue).CompareTo(b.UpdatesToTarget ?? long.MaxValue);
            if (c != 0) return c;
        }
        if (Class(a) <= 1)
        {
            c = NanLast(a.FinalLoss).CompareTo(NanLast(b.FinalLoss));
            if (c != 0) return c;
        }
        c = a.LearningRate.CompareTo(b.LearningRate);
        if (c != 0) return c;
        c = a.Momentum.CompareTo(b.Momentum);
        return c != 0 ? c : a.Seed.CompareTo(b.Seed);
    }

    /// <summary>
    /// Compares two grid points, best first: by class (reached, censored, stopped early by halving, diverged, pruned),
    /// then reached points by <see cref="TuningPoint.Score"/>, censored ones by their median run's final loss; then the
    /// tie-break (median run's final loss, smaller learning rate, smaller momentum).
    /// </summary>
    public static int Compare(TuningPoint a, TuningPoint b)
    {
        int c = PointClass(a).CompareTo(PointClass(b));
        if (c != 0) return c;
        if (PointClass(a) == 0)
        {
            c = a.Score.CompareTo(b.Score);
            if (c != 0) return c;
        }
        c = NanLast(a.Median.FinalLoss).CompareTo(NanLast(b.Median.FinalLoss));
        if (c != 0) return c;
        c = a.LearningRate.CompareTo(b.LearningRate);
        return c != 0 ? c : a.Momentum.CompareTo(b.Momentum);
    }

    /// <summary>
    /// Whether two points are tied: both reached with the same score (the tie-break, not the data, decides between them).
    /// Censored points are ordered by final loss, a continuous value, and are not reported as ties.
    /// </summary>
    public static bool Tied(TuningPoint a, TuningPoint b) => PointClass(a) == 0 && PointClass(b) == 0 && a.Score == b.Score;

    private static int PointClass(TuningPoint p) => Class(p.Median) switch
    {
        0 => 0,
        1 => p.StoppedEarly ? 2 : 1,
        2 => 3,
        _ => 4,
    };

    private static double NanLast(double x) => double.IsNaN(x) ? double.PositiveInfinity : x;
}
