using System.Globalization;

namespace Polyak.Optimization;

/// <summary>
/// A learning-rate schedule: the step size <c>alpha_t</c> as a pure function of the update count <c>t</c>
/// (so its whole state is <c>t</c>, which the parameter server checkpoints as its version).
/// Spec strings: <c>constant</c>; <c>step:EVERY:FACTOR</c> (multiply by FACTOR every EVERY updates);
/// <c>inverse:T</c> (alpha / (1 + t / T)); <c>cosine:TOTAL</c> (half-cosine to 0 at TOTAL updates); <c>cosine</c> (the
/// same over the run: TOTAL = its update limit, fixed when the run starts).
/// </summary>
public sealed class LearningRateSchedule
{
    private readonly ScheduleKind _kind;
    private readonly double _a, _b;

    private enum ScheduleKind { Constant, Step, Inverse, Cosine }

    private LearningRateSchedule(double baseRate, ScheduleKind kind, double a, double b, string spec)
    {
        BaseRate = baseRate;
        _kind = kind;
        _a = a;
        _b = b;
        Spec = spec;
    }

    /// <summary>The learning rate at update 0.</summary>
    public double BaseRate { get; }

    /// <summary>The canonical spec string this schedule was parsed from.</summary>
    public string Spec { get; }

    /// <summary>The step size for update <paramref name="t"/> (0-based).</summary>
    public double At(long t) => _kind switch
    {
        ScheduleKind.Constant => BaseRate,
        ScheduleKind.Step => BaseRate * Math.Pow(_b, Math.Floor(t / _a)),
        ScheduleKind.Inverse => BaseRate / (1.0 + t / _a),
        ScheduleKind.Cosine => t >= _a ? 0.0 : BaseRate * 0.5 * (1.0 + Math.Cos(Math.PI * t / _a)),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>A constant schedule.</summary>
    public static LearningRateSchedule Constant(double rate) => Parse("constant", rate);

    /// <summary>The rate times <paramref name="factor"/> (in (0, 1]) every <paramref name="every"/> updates.</summary>
    public static LearningRateSchedule Step(double rate, long every, double factor) =>
        Parse(string.Create(CultureInfo.InvariantCulture, $"step:{every}:{factor:R}"), rate);

    /// <summary><c>rate / (1 + t / t0)</c>.</summary>
    public static LearningRateSchedule Inverse(double rate, double t0) => Parse(string.Create(CultureInfo.InvariantCulture, $"inverse:{t0:R}"), rate);

    /// <summary>A half-cosine from <paramref name="rate"/> to 0 at update <paramref name="total"/>.</summary>
    public static LearningRateSchedule Cosine(double rate, long total) => Parse(string.Create(CultureInfo.InvariantCulture, $"cosine:{total}"), rate);

    /// <summary>
    /// Parses a schedule spec; throws <see cref="FormatException"/> naming what is wrong. <c>cosine</c> without TOTAL
    /// decays over the whole run and needs <paramref name="runUpdates"/> (the run's update limit).
    /// </summary>
    public static LearningRateSchedule Parse(string spec, double baseRate, long? runUpdates = null)
    {
        if (!(baseRate > 0) || double.IsInfinity(baseRate))
            throw new FormatException($"learning rate must be a positive finite number, got {baseRate.ToString(CultureInfo.InvariantCulture)}");
        string[] parts = (spec ?? "constant").Trim().ToLowerInvariant().Split(':');
        switch (parts[0])
        {
            case "constant" when parts.Length == 1:
                return new LearningRateSchedule(baseRate, ScheduleKind.Constant, 0, 0, "constant");
            case "step" when parts.Length == 3:
            {
                double every = ParsePositive(parts[1], spec!, "EVERY");
                double factor = ParsePositive(parts[2], spec!, "FACTOR");
                if (factor > 1) throw new FormatException($"schedule '{spec}': FACTOR must be in (0, 1], got {parts[2]}");
                return new LearningRateSchedule(baseRate, ScheduleKind.Step, every, factor, $"step:{parts[1]}:{parts[2]}");
            }
            case "inverse" when parts.Length == 2:
                return new LearningRateSchedule(baseRate, ScheduleKind.Inverse, ParsePositive(parts[1], spec!, "T"), 0, $"inverse:{parts[1]}");
            case "cosine" when parts.Length == 1:
                if (runUpdates is not long total || total < 1 || total == long.MaxValue)
                    throw new FormatException($"schedule '{spec}' decays over the run and needs its length: give --updates or --epochs, or use cosine:TOTAL");
                return new LearningRateSchedule(baseRate, ScheduleKind.Cosine, total, 0, $"cosine:{total.ToString(CultureInfo.InvariantCulture)}");
            case "cosine" when parts.Length == 2:
                return new LearningRateSchedule(baseRate, ScheduleKind.Cosine, ParsePositive(parts[1], spec!, "TOTAL"), 0, $"cosine:{parts[1]}");
            default:
                throw new FormatException($"unknown schedule '{spec}': expected constant, step:EVERY:FACTOR, inverse:T, cosine (over the run) or cosine:TOTAL");
        }
    }

    private static double ParsePositive(string s, string spec, string what)
    {
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !(x > 0) || double.IsInfinity(x))
            throw new FormatException($"schedule '{spec}': {what} must be a positive number, got '{s}'");
        return x;
    }
}
