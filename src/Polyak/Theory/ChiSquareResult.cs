namespace Polyak.Theory;

/// <summary>A chi-square goodness-of-fit result: statistic, degrees of freedom, p-value, pooled cells, sample size.</summary>
public sealed record ChiSquareResult(double Statistic, int DegreesOfFreedom, double PValue, int Cells, long Observations)
{
    /// <summary>True when the model is not rejected at level <paramref name="level"/>.</summary>
    public bool Passes(double level = 0.01) => double.IsNaN(PValue) || PValue >= level;
}
