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

/// <summary>Process exit codes of the CLI (DESIGN section 4).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Any other failure.</summary>
    public const int Failure = 1;

    /// <summary>Bad usage or bad input.</summary>
    public const int BadInput = 2;

    /// <summary>Training diverged.</summary>
    public const int Diverged = 3;

    /// <summary>Interrupted by the user.</summary>
    public const int Interrupted = 130;

    /// <summary>The exit code for a run status.</summary>
    public static int For(RunStatus status) => status switch
    {
        RunStatus.Completed or RunStatus.ReachedTarget => Ok,
        RunStatus.Diverged => Diverged,
        RunStatus.Interrupted => Interrupted,
        _ => Failure,
    };
}
