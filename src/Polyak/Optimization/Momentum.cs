using System.Globalization;

namespace Polyak.Optimization;

/// <summary>
/// The domain of the explicit momentum mu: the open interval (-1, 1), negative values included (DESIGN section 1).
/// Every option, grid and server checks a momentum here and nowhere else.
/// </summary>
public static class Momentum
{
    /// <summary>Whether <paramref name="mu"/> is a valid explicit momentum (in (-1, 1); NaN is not).</summary>
    public static bool IsValid(double mu) => mu > -1 && mu < 1;

    /// <summary>
    /// Returns <paramref name="mu"/> when it is in (-1, 1); otherwise throws an <see cref="ArgumentException"/>
    /// whose message names <paramref name="what"/> (e.g. <c>--momentum</c>, <c>--momenta: every momentum</c>).
    /// </summary>
    public static double Validate(double mu, string what = "momentum")
    {
        if (!IsValid(mu))
            throw new ArgumentException($"{what} must be in (-1, 1), got {mu.ToString(CultureInfo.InvariantCulture)}");
        return mu;
    }
}
