namespace Polyak.Execution;

/// <summary>The families of <see cref="ComputeTimeDistribution"/>.</summary>
public enum DistributionKind
{
    /// <summary>Exponential (memoryless): staleness is geometric.</summary>
    Exponential,

    /// <summary>Deterministic: staleness settles at exactly M - 1.</summary>
    Constant,

    /// <summary>Uniform around the mean.</summary>
    Uniform,

    /// <summary>Log-normal with the given mean.</summary>
    LogNormal,
}
