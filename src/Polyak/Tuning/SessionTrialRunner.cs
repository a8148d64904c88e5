using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;

namespace Polyak.Tuning;

/// <summary>
/// Runs tuning runs as <see cref="TrainingSession"/>s on data loaded once and shared (read-only) by every run; no run
/// folders are written. The run seed then drives initialisation and sampling, not the data. A user's own model (and a
/// configured backend) can be given: every run then uses that instance (models are gradient oracles, safe to share).
/// </summary>
public sealed class SessionTrialRunner : ITrialRunner
{
    private readonly IModel? _model;
    private readonly IExecutionBackend? _backend;

    /// <summary>Uses already loaded <paramref name="data"/>, generated with <paramref name="dataSeed"/>.</summary>
    public SessionTrialRunner(DataSplit data, ulong dataSeed, IModel? model = null, IExecutionBackend? backend = null)
    {
        Data = data;
        DataSeed = dataSeed;
        _model = model;
        _backend = backend;
    }

    /// <summary>Loads the data of <paramref name="baseOptions"/> (with its seed) once.</summary>
    public static SessionTrialRunner ForOptions(TrainingOptions baseOptions) =>
        new(RunPlanner.LoadData(baseOptions), baseOptions.DataSeed ?? baseOptions.Seed);

    /// <summary>The shared data.</summary>
    public DataSplit Data { get; }

    /// <inheritdoc/>
    public ulong DataSeed { get; }

    /// <inheritdoc/>
    public TrainingResult Run(TrainingOptions options, CancellationToken cancel) =>
        TrainingSession.Train(RunPlanner.Plan(options, Data, _model, _backend), cancel);
}
