namespace Polyak.Execution;

/// <summary>
/// Runs the workers of a training run against its parameter server until the monitor says stop.
/// Every backend gives a run configuration the same meaning (DESIGN section 2).
/// </summary>
public interface IExecutionBackend
{
    /// <summary>Backend name as on the command line.</summary>
    string Name { get; }

    /// <summary>Trains until <see cref="TrainingContext.Monitor"/> requests a stop.</summary>
    void Run(TrainingContext context);
}
