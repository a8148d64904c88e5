namespace Polyak.Execution;

/// <summary>
/// The one rule for when a run evaluates its parameters on the fixed evaluation subset: after every update whose
/// new version is a multiple of <see cref="Every"/>, except at or past the update limit (the trainer evaluates the
/// final parameters once the run stops). Every backend asks it, so the curve has the same points everywhere.
/// </summary>
public readonly record struct EvaluationSchedule(int Every, long UpdateLimit)
{
    /// <summary>Whether the update that made <paramref name="version"/> is followed by an evaluation.</summary>
    public bool IsDue(long version) => version % Math.Max(1, Every) == 0 && version < UpdateLimit;
}
