using System.Text.Json;

namespace Polyak.Execution;

/// <summary>
/// A deterministic discrete-event simulation of N workers in g compute groups against the real parameter server:
/// gradients are real (computed on exactly the parameters the group read), only the clock is simulated
/// (<see cref="ClockModel"/>). Events are group completions ordered by (simulated time, group index); at each one the
/// group's update is applied, then the group reads the new parameters and draws its next batch and cycle time.
/// Gradients of in-flight groups are pure functions of (read snapshot, batch, member workspace), so they are computed
/// lazily and in parallel on all cores without changing a single bit: same seed, same run (<see cref="SimulationRun"/>).
/// </summary>
public sealed class SimulatedBackend : IResumableBackend
{
    /// <summary>Creates the backend; <paramref name="maxParallelism"/> caps the threads evaluating gradients (null = all cores).</summary>
    public SimulatedBackend(int? maxParallelism = null)
    {
        if (maxParallelism is < 1) throw new ArgumentOutOfRangeException(nameof(maxParallelism), maxParallelism, "parallelism must be >= 1");
        MaxParallelism = maxParallelism ?? Environment.ProcessorCount;
    }

    /// <summary>Largest number of threads used to evaluate in-flight gradients.</summary>
    public int MaxParallelism { get; }

    /// <summary>The hardware model to simulate; null = the run configuration's (<c>--distribution</c>, <c>--compute-time</c>...).</summary>
    public SimulationOptions? Simulation { get; init; }

    /// <inheritdoc/>
    public string Name => "simulated";

    /// <summary>Evaluations run on the event loop's one thread, so their whole time is wall time.</summary>
    public bool EvaluatesInParallel => false;

    /// <summary>The simulation of a run (while or after it ran), for inspection and checkpoints; null before.</summary>
    public static SimulationRun? RunOf(TrainingContext context) => context.BackendState as SimulationRun;

    /// <summary>Makes the next <see cref="Run"/> of <paramref name="context"/> continue from <paramref name="state"/> (the caller restores the server and the monitor from the same checkpoint).</summary>
    public static void ResumeFrom(TrainingContext context, SimulationState state) =>
        context.BackendState = state ?? throw new ArgumentNullException(nameof(state));

    /// <inheritdoc/>
    public void Run(TrainingContext context)
    {
        var resume = context.BackendState as SimulationState;
        var run = new SimulationRun(context, MaxParallelism);
        if (resume is not null) run.SetState(resume);
        context.BackendState = run;
        run.Execute(startCycles: resume is null);
    }

    /// <inheritdoc/>
    public JsonElement? CaptureState(TrainingContext context)
    {
        SimulationState? state = context.BackendState switch
        {
            SimulationRun run => run.GetState(),
            SimulationState pending => pending, // stopped before it ran: the state it would have resumed from
            _ => null, // not started yet: a resume starts every group's first cycle, as a fresh run does
        };
        return state is null ? null : JsonSerializer.SerializeToElement(state, Json.Compact);
    }

    /// <inheritdoc/>
    public void RestoreState(JsonElement state, TrainingContext context)
    {
        try
        {
            ResumeFrom(context, JsonSerializer.Deserialize<SimulationState>(state, Json.Compact)
                ?? throw new ArgumentException("checkpoint: empty simulator state"));
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"checkpoint: simulator state is not valid: {ex.Message}");
        }
    }
}
