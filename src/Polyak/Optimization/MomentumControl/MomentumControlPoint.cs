namespace Polyak.Optimization;

/// <summary>
/// One control step: the update, the explicit momentum set, the total and implicit momentum it steered on, and whether
/// that implicit momentum is the staleness-based value (the trajectory estimate being implausible).
/// </summary>
public readonly record struct MomentumControlPoint(long Update, double Explicit, double Total, double Implicit, bool FromStaleness = false);
