using Polyak.Optimization;

namespace Polyak.Execution;

/// <summary>Where a run's auto-momentum target came from: given, or found by a short synchronous tune (and what it cost).</summary>
/// <param name="Source">"given" or "synchronous tune".</param>
/// <param name="TuneSeconds">Wall seconds of the tune (0 when given).</param>
/// <param name="TuneUpdates">Updates the tune spent (0 when given).</param>
public sealed record AutoMomentumTargetOrigin(string Source, double TuneSeconds, long TuneUpdates)
{
    /// <summary>A target given by the user.</summary>
    public static readonly AutoMomentumTargetOrigin Given = new("given", 0, 0);
}
