namespace Polyak.Execution;

/// <summary>
/// One point of the loss curve: the evaluation loss (and accuracy for classifiers) on the fixed evaluation
/// subset at parameter version <see cref="Update"/>, with the wall and simulated time it was taken at.
/// </summary>
public sealed record EvalPoint(long Update, double WallSeconds, double? SimulatedSeconds, double Loss, double? Accuracy, double Momentum);
