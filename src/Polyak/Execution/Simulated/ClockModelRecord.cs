namespace Polyak.Execution;

/// <summary>The simulator's clock model as a run records it (<c>run.json</c>'s <c>backend.clock_model</c>).</summary>
/// <param name="Distribution">Gradient-time law.</param>
/// <param name="MeanComputeTime">Mean simulated seconds of one full-batch gradient on one worker.</param>
/// <param name="CommunicationDelay">Push and pull delay per cycle.</param>
/// <param name="SyncBase">Synchronisation cost of a group of k > 1.</param>
/// <param name="SyncPerWorker">Its growth per extra member.</param>
/// <param name="SyncCost">The synchronisation cost of one group update of this run.</param>
/// <param name="GroupSize">Members per group k.</param>
/// <param name="Stragglers">Slowdown factor per worker index (workers not listed run at speed 1).</param>
public sealed record ClockModelRecord(string Distribution, double MeanComputeTime, double CommunicationDelay, double SyncBase,
    double SyncPerWorker, double SyncCost, int GroupSize, Dictionary<string, double> Stragglers)
{
    /// <summary>How long one member takes.</summary>
    public string MemberTime => "slowdown_w * (b_j / B) * X, X ~ distribution with mean mean_compute_time";

    /// <summary>How long one cycle of a group takes.</summary>
    public string CycleTime => "max over members + sync_cost (k > 1) + communication_delay";
}
