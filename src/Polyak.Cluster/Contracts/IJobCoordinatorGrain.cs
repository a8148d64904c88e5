using Orleans.Concurrency;

namespace Polyak.Cluster.Contracts;

/// <summary>
/// Holds one job: its configuration, the workers of every compute group, the stop condition, progress, evaluations
/// and failure events; replaces a group whose leader stopped reporting. Key: job id.
/// </summary>
public interface IJobCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>Starts the server and the workers; returns the version the job starts from (above 0 when resumed).</summary>
    Task<long> Submit(JobSpec job, byte[] initialW);

    /// <summary>Progress, new evaluations from index <paramref name="fromEvaluation"/>, events.</summary>
    [AlwaysInterleave, ResponseTimeout("00:00:10")]
    Task<JobStatus> Status(int fromEvaluation);

    /// <summary>Requests a stop (workers drop their gradient and stop).</summary>
    [AlwaysInterleave, ResponseTimeout("00:00:10")]
    Task Stop(string reason);

    /// <summary>A group leader reports an evaluation.</summary>
    [AlwaysInterleave]
    Task ReportEvaluation(EvalReport report);

    /// <summary>
    /// A group leader reports progress. False when its generation is no longer the group's current one (it was replaced,
    /// or the job stopped): that leader must stop, so a replaced leader still running elsewhere does not keep pushing.
    /// </summary>
    [AlwaysInterleave]
    Task<bool> Heartbeat(GroupHeartbeat heartbeat);

    /// <summary>A group leader reports an event (a member missed the barrier, a push failed...).</summary>
    [AlwaysInterleave]
    Task ReportEvent(string message);

    /// <summary>A group leader has stopped.</summary>
    [AlwaysInterleave]
    Task LeaderStopped(int group, int generation);

    /// <summary>Releases every grain of the job.</summary>
    Task Release();

    /// <summary>
    /// Stops the job with <paramref name="reason"/> (the sequencer first, so no update follows) and, when the job has a
    /// checkpoint folder, writes a checkpoint at the last update; returns its version (-1 without a folder). On a cluster
    /// with a secret, <paramref name="proof"/> must be the secret's proof for this job (<see cref="Security.ClusterSecurity.Prove"/>).
    /// </summary>
    Task<long> StopAtCheckpoint(string reason, byte[] proof);

    /// <summary>The submitting client is alive (it calls this about every second); a job not told so for <see cref="JobSpec.ClientGraceSeconds"/> checkpoints and stops.</summary>
    [AlwaysInterleave]
    Task ClientAlive();
}
