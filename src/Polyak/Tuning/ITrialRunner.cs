using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>Runs one tuning run to completion (or until cancelled). Implementations must be thread-safe.</summary>
public interface ITrialRunner
{
    /// <summary>Seed the shared data was generated with (part of every run's key).</summary>
    ulong DataSeed { get; }

    /// <summary>Trains with <paramref name="options"/>; an interrupted run returns status Interrupted.</summary>
    TrainingResult Run(TrainingOptions options, CancellationToken cancel);
}
