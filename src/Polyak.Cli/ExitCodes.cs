using Polyak.Execution;

namespace Polyak.Cli;

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
        RunStatus.Completed or RunStatus.ReachedTarget or RunStatus.Detached => Ok,
        RunStatus.Diverged => Diverged,
        RunStatus.Interrupted => Interrupted,
        _ => Failure,
    };
}
