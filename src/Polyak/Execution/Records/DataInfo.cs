namespace Polyak.Execution;

/// <summary>What data a run used.</summary>
public sealed record DataInfo(string Description, int TrainRows, int TestRows, int EvalRows, int Features, int Classes)
{
    /// <summary>The data's fingerprint (<see cref="Polyak.Data.DataFingerprint"/>; null in records written before it existed).</summary>
    public string? Fingerprint { get; init; }
}
