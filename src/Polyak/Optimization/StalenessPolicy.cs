using System.Globalization;
using System.Numerics;

namespace Polyak.Optimization;

/// <summary>What a <see cref="StalenessPolicy"/> does to a stale update.</summary>
public enum StalenessPolicyKind
{
    /// <summary>Nothing: the plain update rule.</summary>
    None,

    /// <summary>Staleness-aware learning rate: <c>alpha_t / max(1, tau)</c> (ElasticDL's staleness-aware rate; dist-keras DynSGD scales by 1/(tau+1)).</summary>
    LearningRateScale,

    /// <summary>Drop a gradient older than the threshold (TensorFlow's <c>DropStaleGradientOptimizer</c>): the update is consumed, nothing is applied.</summary>
    Drop,

    /// <summary>Delay compensation (DC-ASGD, Zheng et al. 2017): <c>g + lambda g * g * (w - w_read)</c>, the first-order Taylor correction with the diagonal outer-product approximation of the Hessian.</summary>
    DelayCompensation,

    /// <summary>
    /// Adaptive delay compensation (DC-ASGD-a, Zheng et al. 2017): the same correction with a per-coordinate
    /// <c>lambda_t = lambda_0 / sqrt(MeanSquare_t)</c>, <c>MeanSquare_t = m MeanSquare_{t-1} + (1 - m) g_t^2</c>, m = 0.95.
    /// </summary>
    AdaptiveDelayCompensation,

    /// <summary>
    /// Bounded staleness (stale synchronous parallel, SSP, Ho et al. 2013, as in Petuum Bösen): a group that has applied
    /// c updates starts its next step only when c - (the fewest updates any group has applied) &lt;= s, else it waits for
    /// the slowest. s = 0 is bulk-synchronous lockstep. A scheduling rule: the update rule itself is the plain one.
    /// </summary>
    BoundedStaleness,
}

/// <summary>
/// A server-side remedy for staleness, applied by the <see cref="UpdateCore"/> to every update, so it means the same on
/// every backend that runs the core (<c>--staleness-policy</c>): <c>none</c>, <c>lr-scale</c>, <c>drop:T</c> (drop
/// updates with tau &gt; T), <c>dc[:LAMBDA]</c> (delay compensation, lambda default 0.04, the paper's constant variant),
/// <c>dc-a[:LAMBDA0]</c> (adaptive delay compensation, lambda_0 default 2, the paper's value for it),
/// <c>ssp:S</c> (bounded staleness: a scheduling rule the backends apply through <see cref="Execution.BoundedStalenessGate"/>).
/// A dropped update still takes its version (its work was done and is counted) and its staleness is recorded; w and v do
/// not change and the observers are not told.
/// </summary>
public sealed record StalenessPolicy(StalenessPolicyKind Kind, double Parameter = 0)
{
    /// <summary>No policy.</summary>
    public static readonly StalenessPolicy None = new(StalenessPolicyKind.None);

    /// <summary>The spec string, e.g. <c>drop:8</c>.</summary>
    public string Spec => Kind switch
    {
        StalenessPolicyKind.None => "none",
        StalenessPolicyKind.LearningRateScale => "lr-scale",
        StalenessPolicyKind.Drop => string.Create(CultureInfo.InvariantCulture, $"drop:{Parameter:G}"),
        StalenessPolicyKind.BoundedStaleness => string.Create(CultureInfo.InvariantCulture, $"ssp:{Parameter:G}"),
        StalenessPolicyKind.AdaptiveDelayCompensation => string.Create(CultureInfo.InvariantCulture, $"dc-a:{Parameter:G}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"dc:{Parameter:G}"),
    };

    /// <summary>The learning rate of an update of staleness <paramref name="tau"/> whose schedule gives <paramref name="alpha"/>.</summary>
    public double Alpha(double alpha, long tau) => Kind == StalenessPolicyKind.LearningRateScale && tau > 1 ? alpha / tau : alpha;

    /// <summary>Whether an update of staleness <paramref name="tau"/> is dropped.</summary>
    public bool Drops(long tau) => Kind == StalenessPolicyKind.Drop && tau > Parameter;

    /// <summary>Whether the policy can run under the lock-free (Hogwild) discipline: only a rate change can; dropping or compensating reads or skips the whole update.</summary>
    public bool RunsLockFree => Kind is StalenessPolicyKind.None or StalenessPolicyKind.LearningRateScale or StalenessPolicyKind.BoundedStaleness;

    /// <summary>The bound s of <see cref="StalenessPolicyKind.BoundedStaleness"/> (null for the other policies).</summary>
    public int? StepBound => Kind == StalenessPolicyKind.BoundedStaleness ? (int)Parameter : null;

    /// <summary>The refusal of a policy that cannot run lock-free, for the Hogwild discipline.</summary>
    public string LockFreeRefusal => $"--staleness-policy {Spec} needs the atomic discipline (it reads or skips the whole update under the server's lock)";

    /// <summary>Whether the policy needs the parameters the gradient was computed on (delay compensation).</summary>
    public bool NeedsReadParameters => Kind is StalenessPolicyKind.DelayCompensation or StalenessPolicyKind.AdaptiveDelayCompensation;

    /// <summary>Whether the policy keeps a per-coordinate mean square of the gradient (DC-ASGD-a), part of the server's state.</summary>
    public bool NeedsMeanSquare => Kind == StalenessPolicyKind.AdaptiveDelayCompensation;

    /// <summary>Decay m of DC-ASGD-a's mean square (the paper's 0.95).</summary>
    public const double MeanSquareDecay = 0.95;

    /// <summary>Added under DC-ASGD-a's square root so a coordinate that never had a gradient is not divided by 0.</summary>
    public const double MeanSquareEpsilon = 1e-7;

    /// <summary>
    /// DC-ASGD-a: updates <paramref name="meanSquare"/> with this gradient (<c>m MS + (1 - m) g^2</c>) and writes
    /// <c>g + lambda_0 / sqrt(MS + eps) * g * g * (w - wRead)</c> into <paramref name="compensated"/>. SIMD
    /// (<see cref="Vector{T}"/>) with the scalar loop's order of operations and no fused multiply-add, so every lane
    /// rounds as the scalar tail does: the result does not depend on the vector width.
    /// </summary>
    public void CompensateAdaptive(ReadOnlySpan<float> gradient, ReadOnlySpan<float> w, ReadOnlySpan<float> wRead, Span<float> meanSquare, Span<float> compensated)
    {
        float lambda0 = (float)Parameter, m = (float)MeanSquareDecay, eps = (float)MeanSquareEpsilon;
        int n = gradient.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var vm = new Vector<float>(m);
            var v1m = new Vector<float>(1 - m);
            var veps = new Vector<float>(eps);
            var vl = new Vector<float>(lambda0);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradient[i..]);
                var ms = vm * new Vector<float>(meanSquare[i..]) + v1m * g * g;
                ms.CopyTo(meanSquare[i..]);
                (g + vl / Vector.SquareRoot(ms + veps) * g * g * (new Vector<float>(w[i..]) - new Vector<float>(wRead[i..]))).CopyTo(compensated[i..]);
            }
        }
        for (; i < n; i++)
        {
            float g = gradient[i];
            float ms = m * meanSquare[i] + (1 - m) * g * g;
            meanSquare[i] = ms;
            compensated[i] = g + lambda0 / MathF.Sqrt(ms + eps) * g * g * (w[i] - wRead[i]);
        }
    }

    /// <summary>
    /// Writes the delay-compensated gradient <c>g + lambda g * g * (w - wRead)</c> into <paramref name="compensated"/>
    /// (all spans over the same coordinates). SIMD with the scalar order of operations (see <see cref="CompensateAdaptive"/>).
    /// </summary>
    public void Compensate(ReadOnlySpan<float> gradient, ReadOnlySpan<float> w, ReadOnlySpan<float> wRead, Span<float> compensated)
    {
        float lambda = (float)Parameter;
        int n = gradient.Length, i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var vl = new Vector<float>(lambda);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradient[i..]);
                (g + vl * g * g * (new Vector<float>(w[i..]) - new Vector<float>(wRead[i..]))).CopyTo(compensated[i..]);
            }
        }
        for (; i < n; i++)
        {
            float g = gradient[i];
            compensated[i] = g + lambda * g * g * (w[i] - wRead[i]);
        }
    }

    /// <summary>Parses a spec (see the type); throws <see cref="FormatException"/> naming what is expected.</summary>
    public static StalenessPolicy Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string s = spec.Trim().ToLowerInvariant();
        int colon = s.IndexOf(':');
        string name = colon < 0 ? s : s[..colon], arg = colon < 0 ? "" : s[(colon + 1)..];
        const string Expected = "expected none, lr-scale, drop:T (T >= 0 updates), dc[:LAMBDA] (LAMBDA >= 0), dc-a[:LAMBDA0] (LAMBDA0 >= 0) or ssp:S (S >= 0 steps)";
        double Number(string what)
        {
            if (!double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x) || x < 0)
                throw new FormatException($"'{spec}': {what} must be a finite number >= 0, got '{arg}' ({Expected})");
            return x;
        }
        return name switch
        {
            "none" when arg.Length == 0 => None,
            "lr-scale" when arg.Length == 0 => new StalenessPolicy(StalenessPolicyKind.LearningRateScale),
            "drop" when arg.Length > 0 => new StalenessPolicy(StalenessPolicyKind.Drop, Math.Floor(Number("the threshold T"))),
            "ssp" when arg.Length > 0 => new StalenessPolicy(StalenessPolicyKind.BoundedStaleness, Math.Min(int.MaxValue, Math.Floor(Number("the bound S")))),
            "dc-a" => new StalenessPolicy(StalenessPolicyKind.AdaptiveDelayCompensation, arg.Length == 0 ? 2 : Number("LAMBDA0")),
            "dc" => new StalenessPolicy(StalenessPolicyKind.DelayCompensation, arg.Length == 0 ? 0.04 : Number("LAMBDA")),
            _ => throw new FormatException($"'{spec}' is not a staleness policy: {Expected}"),
        };
    }
}
