namespace Polyak.Execution;

/// <summary>How a run ended. Maps to the process exit code.</summary>
public enum RunStatus
{
    /// <summary>Reached its update/epoch/time budget.</summary>
    Completed,

    /// <summary>Reached the target evaluation loss.</summary>
    ReachedTarget,

    /// <summary>The loss became NaN/Inf or exploded; training stopped.</summary>
    Diverged,

    /// <summary>Stopped by the user (SIGINT/SIGTERM); a checkpoint was written.</summary>
    Interrupted,

    /// <summary>Failed with an error.</summary>
    Failed,
}

/// <summary>The names of <see cref="RunStatus"/> values in run.json, <c>--json</c> and the summary.</summary>
public static class RunStatusNames
{
    /// <summary>snake_case: <c>completed</c>, <c>reached_target</c>, <c>diverged</c>, <c>interrupted</c>, <c>failed</c>.</summary>
    public static string Of(RunStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
}
