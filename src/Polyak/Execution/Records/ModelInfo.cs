namespace Polyak.Execution;

/// <summary>What model a run trained.</summary>
public sealed record ModelInfo(string Name, int Parameters, bool Classifier);
