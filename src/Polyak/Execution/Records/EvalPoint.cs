namespace Polyak.Execution;

/// <summary>
/// One point of the loss curve: the evaluation loss (and accuracy for classifiers) on the fixed evaluation
/// subset at parameter version <see cref="Update"/>, with the wall and simulated time it was taken at; with an
/// accuracy target, also the accuracy on the held-out split (<see cref="HeldOutAccuracy"/>) and the evaluation time
/// excluded from the training clock so far (<see cref="ExcludedSeconds"/>).
/// </summary>
public sealed record EvalPoint(long Update, double WallSeconds, double? SimulatedSeconds, double Loss, double? Accuracy, double Momentum)
{
    /// <summary>Accuracy on the held-out split (test, or validation with <c>--validation</c>); null without an accuracy target.</summary>
    public double? HeldOutAccuracy { get; init; }

    /// <summary>Evaluation seconds excluded from the training clock up to this point (wall time of the evaluations).</summary>
    public double? ExcludedSeconds { get; init; }
}
