namespace Polyak.Execution;

/// <summary>
/// Runs the workers of a training run against its parameter server until the monitor says stop: decides where and
/// when each part of the group step (<see cref="GroupStep"/>) runs. Every backend gives a run configuration the same
/// meaning (DESIGN section 2). A backend keeps no state of its own between runs (what one run needs lives in its
/// <see cref="TrainingContext"/>), so one instance may run several runs, also at once.
/// </summary>
public interface IExecutionBackend
{
    /// <summary>Backend name as on the command line.</summary>
    string Name { get; }

    /// <summary>
    /// Whether the groups' periodic evaluations run in parallel (each on the thread of the group that crossed the
    /// evaluation point), so their wall time is their summed time divided by the number of groups; false when one thread
    /// runs them all (the simulator's event loop).
    /// </summary>
    bool EvaluatesInParallel => true;

    /// <summary>
    /// Refuses options this backend cannot run before the data is loaded or a run folder made (throws
    /// <see cref="ArgumentException"/> naming why: an option it does not support, an endpoint nothing answers on); the
    /// default accepts every option.
    /// </summary>
    void ValidateOptions(TrainingOptions options)
    {
    }

    /// <summary>
    /// Refuses a plan this backend cannot run, before anything runs (throws <see cref="ArgumentException"/> naming why);
    /// the default accepts every plan.
    /// </summary>
    void Validate(RunPlan plan)
    {
    }

    /// <summary>Trains until <see cref="TrainingContext.Monitor"/> requests a stop.</summary>
    void Run(TrainingContext context);
}
