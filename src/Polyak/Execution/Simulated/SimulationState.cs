namespace Polyak.Execution;

/// <summary>Serializable state of a simulated run between two events (see <see cref="SimulationRun.GetState"/>).</summary>
/// <param name="Now">The simulated clock.</param>
/// <param name="Groups">Each group's in-flight read.</param>
/// <param name="TimeStreams">Each worker's gradient-time random stream.</param>
/// <param name="Samplers">Rows drawn by each group's batch stream.</param>
public sealed record SimulationState(double Now, InFlightRead[] Groups, ulong[][] TimeStreams, long[] Samplers);
