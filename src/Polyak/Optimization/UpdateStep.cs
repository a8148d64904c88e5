namespace Polyak.Optimization;

/// <summary>
/// One update as the <see cref="UpdateCore"/> orders it: it becomes version <c>T + 1</c>, its gradient was computed on
/// the parameters of <see cref="ReadVersion"/>, and it applies <c>v = mu v - alpha (g + lambda w); w = w + v</c> with
/// <see cref="Mu"/>, <see cref="Alpha"/> = <c>alpha_T</c> of the schedule and <see cref="Lambda"/> (applied in float).
/// </summary>
public readonly record struct UpdateStep(long T, long ReadVersion, double Alpha, double Mu, double Lambda)
{
    /// <summary>The staleness <c>tau = version_at_apply - version_read = T - ReadVersion</c>.</summary>
    public long Staleness => T - ReadVersion;

    /// <summary>The version after the update.</summary>
    public long Version => T + 1;
}
