namespace Polyak.Optimization;

/// <summary>What a <see cref="MomentumController"/> carries across a checkpoint: its control series and its estimator's state.</summary>
/// <param name="Series">One point per control period so far.</param>
/// <param name="Estimator">The online estimator's whole state.</param>
public sealed record MomentumControllerState(List<MomentumControlPoint> Series, OnlineMomentumEstimatorState Estimator);
