using Polyak.Data;
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

/// <summary>
/// Runs tuning runs with <see cref="Trainer"/> on data loaded once and shared (read-only) by every run; no run
/// folders are written. The run seed then drives initialisation and sampling, not the data.
/// </summary>
public sealed class TrainerTrialRunner : ITrialRunner
{
    /// <summary>Uses already loaded <paramref name="data"/>, generated with <paramref name="dataSeed"/>.</summary>
    public TrainerTrialRunner(DataSplit data, ulong dataSeed)
    {
        Data = data;
        DataSeed = dataSeed;
    }

    /// <summary>Loads the data of <paramref name="baseOptions"/> (with its seed) once.</summary>
    public static TrainerTrialRunner ForOptions(TrainingOptions baseOptions) =>
        new(Trainer.LoadData(baseOptions), baseOptions.DataSeed ?? baseOptions.Seed);

    /// <summary>The shared data.</summary>
    public DataSplit Data { get; }

    /// <inheritdoc/>
    public ulong DataSeed { get; }

    /// <inheritdoc/>
    public TrainingResult Run(TrainingOptions options, CancellationToken cancel) =>
        new Trainer { WriteFiles = false }.Run(options, cancel, Data);
}
