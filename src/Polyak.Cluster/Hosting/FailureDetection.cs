namespace Polyak.Cluster.Hosting;

/// <summary>
/// How quickly a silo declares another silo dead. A silo that misses <see cref="MissedProbes"/> liveness probes in a
/// row, each waiting <see cref="ProbeTimeout"/> (Orleans stretches a probe's wait up to 2x when answers are slow or the
/// prober is itself degraded), is voted dead; so a silo frozen (SIGSTOP, a swap storm, a long GC) for less than
/// <see cref="ToleratedFreeze"/> stays a member, and a killed silo is noticed after one to two times that long.
/// The defaults tolerate a 10 s freeze on a loaded 2-core machine; tests that kill silos on purpose use
/// <see cref="Fast"/> so that the kill is noticed within a few seconds.
/// </summary>
public sealed record FailureDetection
{
    /// <summary>Time a probe waits for its answer (Orleans may lengthen it while the silo itself is degraded, never shorten it).</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Probes missed in a row before a silo is suspected (and, with one vote, declared dead).</summary>
    public int MissedProbes { get; init; } = 3;

    /// <summary>The freeze a silo is sure to survive: <see cref="MissedProbes"/> x <see cref="ProbeTimeout"/> (up to twice that may pass).</summary>
    public TimeSpan ToleratedFreeze => ProbeTimeout * MissedProbes;

    /// <summary>The defaults: a 15 s tolerance.</summary>
    public static FailureDetection Default { get; } = new();

    /// <summary>Detection in about 2 s (1 s probes, 2 missed): for tests that kill silos, not for a loaded machine.</summary>
    public static FailureDetection Fast { get; } = new() { ProbeTimeout = TimeSpan.FromSeconds(1), MissedProbes = 2 };

    /// <summary>Checks the values; throws naming the option.</summary>
    public FailureDetection Validated()
    {
        if (ProbeTimeout < TimeSpan.FromMilliseconds(100) || ProbeTimeout > TimeSpan.FromMinutes(5))
            throw new ArgumentException($"--probe-timeout must be in [0.1, 300] seconds, got {ProbeTimeout.TotalSeconds:G4}");
        if (MissedProbes is < 1 or > 100) throw new ArgumentException($"--missed-probes must be in [1, 100], got {MissedProbes}");
        return this;
    }
}
