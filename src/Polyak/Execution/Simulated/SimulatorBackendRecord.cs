namespace Polyak.Execution;

/// <summary>What a simulated run recorded (<c>run.json</c>'s <c>backend</c> section).</summary>
/// <param name="SimulatedSeconds">The simulated clock at the end.</param>
/// <param name="SimulatedSecondsPerUpdate">Simulated seconds per applied update (null when none was applied).</param>
/// <param name="WallSeconds">Wall seconds the simulation took.</param>
/// <param name="ClockModel">The hardware model simulated.</param>
/// <param name="GradientEvaluations">Member slices computed.</param>
/// <param name="ParallelBatches">Batches of gradient evaluations run in parallel.</param>
/// <param name="Threads">Threads evaluating gradients.</param>
public sealed record SimulatorBackendRecord(double SimulatedSeconds, double SimulatedSecondsPerUpdate, double WallSeconds,
    ClockModelRecord ClockModel, long GradientEvaluations, long ParallelBatches, int Threads);
