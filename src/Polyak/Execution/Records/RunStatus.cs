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

    /// <summary>Still training: the live record a run folder holds while its process runs (and keeps when that process dies).</summary>
    Running,

    /// <summary>
    /// The client left on purpose (<c>--detach</c>) and the job goes on, on a cluster: the record is the client's view at
    /// the moment it left; <c>train --resume DIR --attach</c> follows the job again and writes its final record.
    /// </summary>
    Detached,
}
