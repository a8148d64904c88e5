namespace Polyak.Execution;

/// <summary>What data a run used.</summary>
public sealed record DataInfo(string Description, int TrainRows, int TestRows, int EvalRows, int Features, int Classes);
