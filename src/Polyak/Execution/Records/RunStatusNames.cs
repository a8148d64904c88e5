namespace Polyak.Execution;

/// <summary>The names of <see cref="RunStatus"/> values in run.json, <c>--json</c> and the summary.</summary>
public static class RunStatusNames
{
    /// <summary>snake_case: <c>completed</c>, <c>reached_target</c>, <c>diverged</c>, <c>interrupted</c>, <c>failed</c>.</summary>
    public static string Of(RunStatus status) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
}
