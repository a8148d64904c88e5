using System.Globalization;
using Polyak.Data;
using Polyak.Execution;

namespace Polyak.Training;

/// <summary>What the steady state did: the main run, the configuration it ended with, and its times.</summary>
/// <param name="Main">The main run's last segment (null when the budget left none).</param>
/// <param name="Groups">Compute groups at the end.</param>
/// <param name="LearningRate">Learning rate at the end.</param>
/// <param name="Momentum">Momentum at the end.</param>
/// <param name="TrainingTime">Time the main run trained, backend unit.</param>
/// <param name="RetuneCost">Time the re-tuning trials took, backend unit.</param>
public sealed record SteadyStateResult(TrainingResult? Main, int Groups, double LearningRate, double Momentum, double TrainingTime, double RetuneCost);
