namespace Polyak.Theory;

/// <summary>
/// Pearson's chi-square goodness-of-fit test of observed counts against model probabilities. Adjacent cells are
/// pooled (from the left, and the whole tail beyond the last cell) until every cell expects at least
/// <see cref="MinExpected"/> counts; degrees of freedom = cells - 1 - fitted parameters.
/// </summary>
public static class ChiSquareTest
{
    /// <summary>Smallest expected count per pooled cell.</summary>
    public const double MinExpected = 5.0;

    /// <summary>
    /// Tests <paramref name="observed"/> (counts indexed by value) against <paramref name="probability"/>(value);
    /// the probabilities of values beyond the observed range form the tail cell.
    /// </summary>
    public static ChiSquareResult Test(ReadOnlySpan<long> observed, Func<int, double> probability, int fittedParameters = 0)
    {
        long n = 0;
        foreach (long c in observed) n += c;
        if (n == 0) throw new ArgumentException("chi-square test needs at least one observation");
        var cellsObs = new List<double>();
        var cellsExp = new List<double>();
        double accObs = 0, accExp = 0, used = 0;
        for (int l = 0; l < observed.Length; l++)
        {
            double p = probability(l);
            if (!(p >= 0)) throw new ArgumentException($"model probability at {l} is {p}");
            accObs += observed[l];
            accExp += n * p;
            used += p;
            if (accExp >= MinExpected)
            {
                cellsObs.Add(accObs);
                cellsExp.Add(accExp);
                accObs = accExp = 0;
            }
        }
        // Tail cell: all values beyond the observed range, merged with any unfinished cell.
        accExp += n * Math.Max(0, 1 - used);
        if (accExp >= MinExpected || cellsObs.Count == 0)
        {
            cellsObs.Add(accObs);
            cellsExp.Add(accExp);
        }
        else
        {
            cellsObs[^1] += accObs;
            cellsExp[^1] += accExp;
        }
        double stat = 0;
        for (int i = 0; i < cellsObs.Count; i++)
        {
            double e = cellsExp[i], o = cellsObs[i];
            if (e <= 0) { if (o > 0) stat = double.PositiveInfinity; continue; }
            stat += (o - e) * (o - e) / e;
        }
        int df = cellsObs.Count - 1 - fittedParameters;
        double pValue = df >= 1 ? IncompleteGamma.ChiSquareSurvival(stat, df) : double.NaN;
        return new ChiSquareResult(stat, df, pValue, cellsObs.Count, n);
    }
}
