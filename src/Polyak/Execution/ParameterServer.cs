using Polyak.Optimization;

namespace Polyak.Execution;

/// <summary>
/// The parameter server of the local backends: one <see cref="UpdateCore"/> over the whole parameter vector (which
/// does every update's arithmetic and bookkeeping) with the concurrency of the chosen <see cref="UpdateDiscipline"/>.
/// Atomic: reads and updates take one lock, so a read is a consistent snapshot of one version. Hogwild: an update
/// takes a ticket (its version) atomically and then races coordinate-wise with reads and other updates; its staleness
/// and observers are serialised.
/// </summary>
public sealed class ParameterServer
{
    private readonly object _lock = new();
    private readonly object _statsLock = new();

    /// <summary>Creates a server holding a copy of <paramref name="initial"/> with zero momentum buffer.</summary>
    public ParameterServer(ReadOnlySpan<float> initial, double momentum, double weightDecay,
        LearningRateSchedule schedule, UpdateDiscipline discipline, StalenessPolicy? policy = null)
        : this(ServerState.Initial(initial, Optimization.Momentum.Validate(momentum)), weightDecay, schedule, discipline, policy)
    {
    }

    /// <summary>Creates a server in <paramref name="state"/> (copied).</summary>
    public ParameterServer(ServerState state, double weightDecay, LearningRateSchedule schedule, UpdateDiscipline discipline,
        StalenessPolicy? policy = null)
    {
        policy ??= StalenessPolicy.None;
        if (discipline == UpdateDiscipline.Hogwild && !policy.RunsLockFree) throw new ArgumentException(policy.LockFreeRefusal);
        Core = new UpdateCore(state, weightDecay, schedule) { Policy = policy };
        Discipline = discipline;
    }

    /// <summary>The update core (state, rule, staleness, observers).</summary>
    public UpdateCore Core { get; }

    /// <summary>Number of parameters.</summary>
    public int Dimension => Core.Length;

    /// <summary>Number of updates applied so far.</summary>
    public long Version => Core.Version;

    /// <summary>The explicit momentum mu in (-1, 1); may be changed while training (closed-loop control).</summary>
    public double Momentum
    {
        get => Core.Momentum;
        set => Core.Momentum = value;
    }

    /// <summary>Weight decay lambda.</summary>
    public double WeightDecay => Core.WeightDecay;

    /// <summary>Learning-rate schedule alpha_t.</summary>
    public LearningRateSchedule Schedule => Core.Schedule;

    /// <summary>Atomic or Hogwild.</summary>
    public UpdateDiscipline Discipline { get; }

    /// <summary>Staleness of every applied update.</summary>
    public StalenessHistogram Staleness => Core.Staleness;

    /// <summary>
    /// Copies the current parameters into <paramref name="destination"/> and returns the version they belong to.
    /// Atomic: a consistent snapshot. Hogwild: racing with concurrent updates.
    /// </summary>
    public long Read(Span<float> destination)
    {
        CheckLength(destination.Length);
        if (Discipline == UpdateDiscipline.Atomic)
        {
            lock (_lock)
            {
                Core.W.CopyTo(destination);
                return Core.Version;
            }
        }
        long version = Core.Version;
        Core.W.CopyTo(destination);
        return version;
    }

    /// <summary>
    /// Applies one update computed from parameters read at <paramref name="readVersion"/>; returns its staleness.
    /// </summary>
    public long Apply(ReadOnlySpan<float> gradient, long readVersion, ReadOnlySpan<float> readParameters = default)
    {
        CheckLength(gradient.Length);
        if (Discipline == UpdateDiscipline.Atomic)
        {
            lock (_lock) return Core.Apply(gradient, readVersion, readParameters);
        }
        var step = Core.PrepareAt(Core.TakeTicket(), readVersion);
        Core.Step(step, gradient);
        lock (_statsLock) Core.Record(step, gradient);
        return step.Staleness;
    }

    /// <summary>A consistent copy of the whole state (takes the lock in both disciplines).</summary>
    public ServerState GetState()
    {
        lock (_lock)
        {
            lock (_statsLock) return Core.GetState();
        }
    }

    /// <summary>Restores the whole state (from a checkpoint or a remote server). Not for use while training.</summary>
    public void SetState(ServerState state)
    {
        lock (_lock)
        {
            lock (_statsLock) Core.SetState(state);
        }
    }

    private void CheckLength(int n)
    {
        if (n != Core.Length) throw new ArgumentException($"expected a vector of {Core.Length} parameters, got {n}");
    }
}
