namespace Polyak.Execution;

/// <summary>Serializable state of a simulated run between two events (see <see cref="SimulationRun.GetState"/>).</summary>
/// <param name="Now">The simulated clock.</param>
/// <param name="Groups">Each group's in-flight read.</param>
/// <param name="TimeStreams">Each worker's gradient-time random stream.</param>
/// <param name="Samplers">Rows drawn by each group's batch stream.</param>
public sealed record SimulationState(double Now, InFlightRead[] Groups, ulong[][] TimeStreams, long[] Samplers);

/// <summary>One group's in-flight read: the version and parameters it read, when, when it completes, its batch and its step count.</summary>
public sealed record InFlightRead(long ReadVersion, double ReadTime, double Completion, float[] Parameters, int[] Batch, long Steps);
