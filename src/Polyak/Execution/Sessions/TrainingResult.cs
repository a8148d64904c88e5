namespace Polyak.Execution;

/// <summary>The outcome of a training run: the record, status, run folder (null when none was written), final parameters and step, and the failure if any.</summary>
/// <param name="Record">The run record (run.json).</param>
/// <param name="Status">How the run ended.</param>
/// <param name="RunDir">The run folder, or null.</param>
/// <param name="Parameters">The final parameters w.</param>
/// <param name="MomentumBuffer">The final step v.</param>
/// <param name="Failure">The failure that stopped the run, if one did.</param>
public sealed record TrainingResult(RunRecord Record, RunStatus Status, string? RunDir, float[] Parameters, float[] MomentumBuffer, Exception? Failure);
