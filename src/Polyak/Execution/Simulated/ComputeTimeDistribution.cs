using System.Globalization;
using Polyak.Numerics;

namespace Polyak.Execution;

/// <summary>
/// The law of one worker's gradient time in the simulator, scaled to a given mean: <c>exponential</c> (the queueing
/// model of DESIGN section 1), <c>constant</c>, <c>uniform[:H]</c> (uniform on <c>mean (1 -/+ H)</c>, H in (0, 1],
/// default 1) and <c>lognormal[:SIGMA]</c> (log-normal with log-scale deviation SIGMA, default 0.5, and the given mean).
/// </summary>
public sealed class ComputeTimeDistribution
{
    private ComputeTimeDistribution(DistributionKind kind, double parameter, string spec)
    {
        Kind = kind;
        Parameter = parameter;
        Spec = spec;
    }

    /// <summary>Which family.</summary>
    public DistributionKind Kind { get; }

    /// <summary>The shape parameter: H for uniform, SIGMA for log-normal, 0 otherwise.</summary>
    public double Parameter { get; }

    /// <summary>The canonical spec string.</summary>
    public string Spec { get; }

    /// <summary>Names accepted by <see cref="Parse"/>.</summary>
    public const string Expected = "exponential, constant, uniform[:H] (0 < H <= 1) or lognormal[:SIGMA] (SIGMA > 0)";

    /// <summary>Parses a spec; throws <see cref="ArgumentException"/> naming the option and what was expected.</summary>
    public static ComputeTimeDistribution Parse(string? spec)
    {
        string s = (spec ?? "exponential").Trim().ToLowerInvariant();
        string[] parts = s.Split(':');
        double Param(double def, Func<double, bool> ok)
        {
            if (parts.Length == 1) return def;
            if (parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && ok(x)) return x;
            throw new ArgumentException($"--distribution '{spec}': bad parameter '{string.Join(':', parts.Skip(1))}'; expected {Expected}");
        }
        return parts[0] switch
        {
            "exponential" or "exp" when parts.Length == 1 => new(DistributionKind.Exponential, 0, "exponential"),
            "constant" or "const" when parts.Length == 1 => new(DistributionKind.Constant, 0, "constant"),
            "uniform" => Make(DistributionKind.Uniform, Param(1.0, x => x > 0 && x <= 1), "uniform"),
            "lognormal" or "log-normal" => Make(DistributionKind.LogNormal, Param(0.5, x => x > 0 && x <= 10), "lognormal"),
            _ => throw new ArgumentException($"--distribution: unknown gradient-time distribution '{spec}'; expected {Expected}"),
        };
    }

    private static ComputeTimeDistribution Make(DistributionKind kind, double p, string name) =>
        new(kind, p, $"{name}:{p.ToString("R", CultureInfo.InvariantCulture)}");

    /// <summary>Draws one time with mean <paramref name="mean"/> from <paramref name="random"/> (always consumes the same number of draws per call for a family).</summary>
    public double Sample(RandomStream random, double mean) => Kind switch
    {
        DistributionKind.Exponential => random.NextExponential(mean),
        DistributionKind.Constant => mean,
        DistributionKind.Uniform => mean * (1 - Parameter + 2 * Parameter * random.NextDouble()),
        DistributionKind.LogNormal => mean * Math.Exp(Parameter * random.NextGaussian() - 0.5 * Parameter * Parameter),
        _ => throw new InvalidOperationException($"unknown distribution kind {Kind}"),
    };

    /// <summary>Coefficient of variation (standard deviation / mean) of the law.</summary>
    public double CoefficientOfVariation => Kind switch
    {
        DistributionKind.Exponential => 1,
        DistributionKind.Constant => 0,
        DistributionKind.Uniform => Parameter / Math.Sqrt(3),
        DistributionKind.LogNormal => Math.Sqrt(Math.Exp(Parameter * Parameter) - 1),
        _ => double.NaN,
    };
}
