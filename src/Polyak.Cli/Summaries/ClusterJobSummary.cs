namespace Polyak.Cli;

/// <summary>One job: progress, checkpoints, losses, shards and groups.</summary>
/// <param name="JobId">Job id.</param>
/// <param name="Updates">Updates applied.</param>
/// <param name="Finished">Whether every leader stopped.</param>
/// <param name="Checkpoints">Checkpoints written.</param>
/// <param name="UpdatesLost">Updates undone by rollbacks.</param>
/// <param name="Momentum">Explicit momentum in force.</param>
/// <param name="Shards">Shards: index, silo, version.</param>
/// <param name="Groups">Groups: leader's silo, updates pushed.</param>
public sealed record ClusterJobSummary(string JobId, long Updates, bool Finished, int Checkpoints, long UpdatesLost, double Momentum,
    IReadOnlyList<ShardSummary> Shards, IReadOnlyList<GroupSummary> Groups)
{
    /// <summary>running, stopping or finished.</summary>
    public string State { get; init; } = "";

    /// <summary>The latest batch loss.</summary>
    public double BatchLoss { get; init; }

    /// <summary>Version of the latest checkpoint.</summary>
    public long LastCheckpoint { get; init; }

    /// <summary>Failures, replacements and recoveries, in order.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];
}
