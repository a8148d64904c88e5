namespace Polyak.Cluster.Contracts;

/// <summary>State of the sequencer: version, limits, checkpoints, recoveries.</summary>
[GenerateSerializer, Immutable]
public sealed class SequencerStatus
{
    /// <summary>Applied updates.</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>True once the update limit was reached or a stop was requested.</summary>
    [Id(1)] public bool Stopped { get; init; }

    /// <summary>Exponential moving average of the mini-batch loss of applied updates.</summary>
    [Id(2)] public double BatchLoss { get; init; } = double.NaN;

    /// <summary>Checkpoints written.</summary>
    [Id(3)] public int Checkpoints { get; init; }

    /// <summary>Version of the latest checkpoint (-1 = none).</summary>
    [Id(4)] public long LastCheckpointVersion { get; init; } = -1;

    /// <summary>Updates lost by rollbacks to a checkpoint.</summary>
    [Id(5)] public long UpdatesLost { get; init; }

    /// <summary>Number of rollbacks (shard state lost and restored).</summary>
    [Id(6)] public int Recoveries { get; init; }

    /// <summary>Version a job resumed from (-1 = fresh start).</summary>
    [Id(7)] public long ResumedFrom { get; init; } = -1;

    /// <summary>Human-readable events (recoveries, checkpoint problems).</summary>
    [Id(8)] public string[] Events { get; init; } = [];

    /// <summary>The explicit momentum in force.</summary>
    [Id(9)] public double Momentum { get; init; } = double.NaN;
}
