namespace Polyak.Execution;

/// <summary>A checkpoint as read or captured: its state and the raw parameter and step vectors.</summary>
/// <param name="State">Everything but the vectors (configuration, version, staleness, batch streams, curve, control state...).</param>
/// <param name="W">The parameters w.</param>
/// <param name="V">The previous step v.</param>
public sealed record Checkpoint(CheckpointState State, float[] W, float[] V);
