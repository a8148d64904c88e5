namespace Polyak.Execution;

/// <summary>
/// The simulator's hardware model: how long a worker's gradient takes and what synchronisation costs, in simulated
/// seconds (see <see cref="ClockModel"/> for the exact cycle-time formula; validated by <see cref="ClockModel.Validate"/>).
/// </summary>
public sealed record SimulationOptions
{
    /// <summary>Gradient-time distribution: exponential, constant, uniform[:H], lognormal[:SIGMA].</summary>
    public string Distribution { get; init; } = "exponential";

    /// <summary>Mean time of one full-batch (B samples) gradient on one worker, in simulated seconds.</summary>
    public double MeanComputeTime { get; init; } = 1.0;

    /// <summary>Communication delay added once to every update cycle (push and pull), simulated seconds.</summary>
    public double CommunicationDelay { get; init; }

    /// <summary>Synchronisation cost of a group of k > 1 workers: SyncBase + SyncPerWorker * (k - 1) (simulated seconds; 0 when k = 1).</summary>
    public double SyncBase { get; init; }

    /// <summary>Per-member growth of the synchronisation cost.</summary>
    public double SyncPerWorker { get; init; }

    /// <summary>Slowdown factors of stragglers: worker index to factor (e.g. {"0": 4}).</summary>
    public Dictionary<int, double>? Slowdown { get; init; }
}
