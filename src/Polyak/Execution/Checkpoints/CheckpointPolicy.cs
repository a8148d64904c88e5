namespace Polyak.Execution;

/// <summary>
/// When a run writes periodic checkpoints (besides the one at its start and the one at its end): every
/// <see cref="EveryUpdates"/> updates and every <see cref="EverySeconds"/> seconds of wall time, whichever comes first
/// (0 = that rule is off). <see cref="For"/> gives a run folder's policy.
/// </summary>
public sealed record CheckpointPolicy(long EveryUpdates, double EverySeconds)
{
    /// <summary>Seconds of wall time between checkpoints by default.</summary>
    public const double DefaultSeconds = 30;

    /// <summary>No periodic checkpoint.</summary>
    public static readonly CheckpointPolicy None = new(0, 0);

    /// <summary>Whether any periodic checkpoint is written.</summary>
    public bool Periodic => EveryUpdates > 0 || EverySeconds > 0;

    /// <summary>
    /// The policy of a run: <c>--checkpoint-every K</c> (every K updates; 0 = never), or by default every 30 s and every tenth
    /// of the run's updates when its length is known, so a crash loses at most that much.
    /// </summary>
    public static CheckpointPolicy For(long? checkpointEvery, long updateLimit) => checkpointEvery switch
    {
        0 => None,
        long k => new CheckpointPolicy(k, 0),
        null => new CheckpointPolicy(updateLimit == long.MaxValue ? 0 : Math.Max(1, updateLimit / 10), DefaultSeconds),
    };
}
