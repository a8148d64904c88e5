using System.Globalization;
using Polyak.Data;
using Polyak.Execution;

namespace Polyak.Training;

/// <summary>What the hardware probe measured: the levels worth tuning, each level's time per update, the base learning rate and the cost.</summary>
/// <param name="Candidates">Levels g worth tuning, in increasing order.</param>
/// <param name="TimePerUpdate">Measured time per update of every level probed.</param>
/// <param name="BaseLearningRate">The learning rate the first level resolved to (given, or the model's default).</param>
/// <param name="Cost">Time the probes took, backend unit.</param>
/// <param name="Updates">Updates the probes took.</param>
public sealed record HardwareProbeResult(IReadOnlyList<int> Candidates, IReadOnlyDictionary<int, double> TimePerUpdate, double BaseLearningRate, double Cost, long Updates);
