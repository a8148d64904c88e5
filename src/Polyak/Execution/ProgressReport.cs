namespace Polyak.Execution;

/// <summary>A progress report: where the run is and, for evaluation reports, the evaluation loss.</summary>
public readonly record struct ProgressReport(long Update, long UpdateLimit, double WallSeconds, double? SimulatedSeconds,
    double EvalLoss, double? EvalAccuracy, double BatchLoss, double Momentum, bool IsEvaluation);
