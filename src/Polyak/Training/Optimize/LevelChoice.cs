using System.Globalization;
using Polyak.Execution;
using Polyak.Tuning;

namespace Polyak.Training;

/// <summary>The configuration the cold start chose: the level, learning rate and momentum with the lowest predicted time to target.</summary>
/// <param name="Groups">Compute groups g.</param>
/// <param name="LearningRate">Learning rate.</param>
/// <param name="Momentum">Explicit momentum.</param>
/// <param name="PredictedTime">Predicted time to target, backend unit.</param>
/// <param name="PredictedUpdates">Predicted updates to target.</param>
public sealed record LevelChoice(int Groups, double LearningRate, double Momentum, double PredictedTime, double PredictedUpdates);
