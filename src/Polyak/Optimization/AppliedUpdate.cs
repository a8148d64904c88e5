namespace Polyak.Optimization;

/// <summary>
/// One applied update as observers see it: the new version (<c>T + 1</c>), its staleness, the step size and explicit
/// momentum used, and over the core's coordinates the new step <c>v_{t+1} = w_{t+1} - w_t</c> and the applied gradient.
/// <see cref="Coordinates"/> says which global coordinate each position holds (a whole server: position = coordinate).
/// </summary>
public readonly ref struct AppliedUpdate(long version, long staleness, double alpha, double momentum,
    ReadOnlySpan<float> step, ReadOnlySpan<float> gradient, CoordinateSet coordinates)
{
    /// <summary>The version after the update.</summary>
    public long Version { get; } = version;

    /// <summary>Its staleness: the gradient was computed on the parameters of version <c>Version - 1 - Staleness</c>.</summary>
    public long Staleness { get; } = staleness;

    /// <summary>The step size alpha_T.</summary>
    public double Alpha { get; } = alpha;

    /// <summary>The explicit momentum used.</summary>
    public double Momentum { get; } = momentum;

    /// <summary>The new step v over the core's coordinates.</summary>
    public ReadOnlySpan<float> Step { get; } = step;

    /// <summary>The applied gradient over the core's coordinates.</summary>
    public ReadOnlySpan<float> Gradient { get; } = gradient;

    /// <summary>The global coordinate of each position.</summary>
    public CoordinateSet Coordinates { get; } = coordinates;
}
