namespace Polyak.Tuning;

/// <summary>
/// The order of runs and grid points, best first: reached runs by updates to target (then final loss);
/// censored runs after them by final loss; diverged and failed runs next; pruned runs last. Ties break on
/// learning rate, momentum and seed so the order never depends on finishing order.
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

    /// <summary>Compares two grid points by their median run, best first; points stopped early by halving rank after censored finalists.</summary>
    public static int Compare(TuningPoint a, TuningPoint b)
    {
        int c = PointClass(a).CompareTo(PointClass(b));
        if (c != 0) return c;
        c = Compare(a.Median, b.Median);
        if (c != 0) return c;
        c = a.LearningRate.CompareTo(b.LearningRate);
        return c != 0 ? c : a.Momentum.CompareTo(b.Momentum);
    }

    private static int PointClass(TuningPoint p) => Class(p.Median) switch
    {
        0 => 0,
        1 => p.StoppedEarly ? 2 : 1,
        2 => 3,
        _ => 4,
    };

    private static double NanLast(double x) => double.IsNaN(x) ? double.PositiveInfinity : x;
}
