using System.Text.Json;

namespace Polyak.Execution;

/// <summary>
/// A backend with state of its own beyond the parameter server and the batch streams (e.g. the simulator's clock and
/// in-flight work), which a checkpoint must carry for a resumed run to continue exactly.
/// </summary>
public interface IResumableBackend : IExecutionBackend
{
    /// <summary>
    /// The run's backend state now, as JSON (called at a consistent point: between updates or after Run), or null before
    /// the backend started (a run resumed from such a checkpoint starts the backend afresh).
    /// </summary>
    JsonElement? CaptureState(TrainingContext context);

    /// <summary>Restores a state from <see cref="CaptureState"/> into <paramref name="context"/> before <see cref="IExecutionBackend.Run"/>.</summary>
    void RestoreState(JsonElement state, TrainingContext context);
}
