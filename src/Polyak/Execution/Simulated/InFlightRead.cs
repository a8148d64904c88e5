namespace Polyak.Execution;

/// <summary>
/// One group's in-flight read: the version and parameters it read, when, when it completes, its batch and its step count.
/// <see cref="Waiting"/>: the group has no read in flight, it waits for the slowest group under <c>ssp:S</c> (the other
/// fields but <see cref="Steps"/> are then empty).
/// </summary>
public sealed record InFlightRead(long ReadVersion, double ReadTime, double Completion, float[] Parameters, int[] Batch, long Steps)
{
    /// <summary>The group waits under bounded staleness (no read in flight).</summary>
    public bool Waiting { get; init; }
}
