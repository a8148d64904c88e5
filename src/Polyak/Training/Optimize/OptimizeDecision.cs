namespace Polyak.Training;

/// <summary>One logged decision of the optimizer: phase, configuration, what was measured, and the choice with its reason.</summary>
public sealed record OptimizeDecision(string Phase, int Groups, double LearningRate, double Momentum, string Measure, double Value, bool Chosen, string Reason);
