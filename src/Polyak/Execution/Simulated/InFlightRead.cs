namespace Polyak.Execution;

/// <summary>One group's in-flight read: the version and parameters it read, when, when it completes, its batch and its step count.</summary>
public sealed record InFlightRead(long ReadVersion, double ReadTime, double Completion, float[] Parameters, int[] Batch, long Steps);
