namespace Polyak.Optimization;

/// <summary>
/// The whole state of a parameter server (or of the coordinates one core owns) between two updates, as a plain
/// checkpointable value: the version, the explicit momentum in force, the parameters <c>w</c>, the previous step
/// <c>v = w_t - w_{t-1}</c> and the staleness counts. <see cref="UpdateCore.GetState"/> and
/// <see cref="UpdateCore.SetState"/> copy it in and out.
/// </summary>
public sealed record ServerState(long Version, double Momentum, float[] W, float[] V, long[] Staleness)
{
    /// <summary>A fresh server at version 0: <paramref name="w"/> copied, <c>v = 0</c>, no staleness recorded.</summary>
    public static ServerState Initial(ReadOnlySpan<float> w, double momentum) => new(0, momentum, w.ToArray(), new float[w.Length], []);

    /// <summary>Checks lengths, version, momentum and counts; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public void Validate(int length)
    {
        if (W.Length != length || V.Length != length)
            throw new ArgumentException($"server state holds w of {W.Length} and v of {V.Length} values, expected {length}");
        if (Version < 0) throw new ArgumentException($"server state version {Version} is negative");
        Optimization.Momentum.Validate(Momentum, "server state momentum");
        long total = 0;
        foreach (long c in Staleness)
        {
            if (c < 0) throw new ArgumentException("server state has a negative staleness count");
            total += c;
        }
        if (total > Version) throw new ArgumentException($"server state records {total} staleness values for {Version} updates");
    }
}
