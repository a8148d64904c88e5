namespace Polyak.Execution;

/// <summary>One resume of a run: from which checkpoint, how many updates the earlier process had done past it (redone now), why.</summary>
/// <param name="FromUpdate">The checkpoint's version.</param>
/// <param name="RedoneUpdates">Updates the earlier process had applied after that checkpoint (lost, done again).</param>
/// <param name="Utc">When the run was resumed.</param>
/// <param name="Reason">What the run folder said: how the earlier process ended.</param>
public sealed record ResumeRecord(long FromUpdate, long RedoneUpdates, DateTime Utc, string Reason);
