namespace Polyak.Execution;

/// <summary>
/// The bounded-staleness rule (<c>--staleness-policy ssp:S</c>, stale synchronous parallel): group g, having applied
/// c_g updates, may start its next step only when <c>c_g - min_h c_h &lt;= S</c>; otherwise it waits until the slowest
/// group applies. So at every read no group is more than S of its own steps ahead of the slowest, and at every moment
/// at most S + 1. Thread-safe; the simulator calls it from its one event loop, the threads backend from every leader
/// (<see cref="WaitUntilAllowed"/> blocks), a cluster's sequencer from its grain turns (its leaders wait in an
/// interleaved call that commits wake). It also keeps what the record reports: the waits and the largest lead seen.
/// </summary>
public sealed class BoundedStalenessGate
{
    private readonly long[] _applied;
    private readonly object _lock = new();
    private long _waits;
    private long _maxLeadAtRead;
    private long _maxLead;

    /// <summary>A gate for <paramref name="groups"/> groups with bound <paramref name="bound"/> (>= 0).</summary>
    public BoundedStalenessGate(int groups, int bound)
    {
        if (groups < 1) throw new ArgumentException($"groups must be >= 1, got {groups}");
        if (bound < 0) throw new ArgumentException($"the staleness bound must be >= 0 steps, got {bound}");
        _applied = new long[groups];
        Bound = bound;
    }

    /// <summary>The bound S.</summary>
    public int Bound { get; }

    /// <summary>Times a group had to wait before a step.</summary>
    public long Waits { get { lock (_lock) return _waits; } }

    /// <summary>Largest <c>c_g - min c</c> seen when a group started a step (never above <see cref="Bound"/>).</summary>
    public long MaxLeadAtRead { get { lock (_lock) return _maxLeadAtRead; } }

    /// <summary>Largest <c>max c - min c</c> seen after an update (never above <see cref="Bound"/> + 1).</summary>
    public long MaxLead { get { lock (_lock) return _maxLead; } }

    /// <summary>Updates group <paramref name="group"/> has applied, as the gate counts them.</summary>
    public long Applied(int group) { lock (_lock) return _applied[group]; }

    /// <summary>Continues from counts per group (a resumed run).</summary>
    public void Restore(IReadOnlyList<long> applied)
    {
        if (applied.Count != _applied.Length) throw new ArgumentException($"bounded staleness: {applied.Count} group counts for {_applied.Length} groups");
        lock (_lock)
            for (int g = 0; g < _applied.Length; g++) _applied[g] = applied[g];
    }

    /// <summary>Every group's count (a copy).</summary>
    public long[] AppliedCounts() { lock (_lock) return _applied.ToArray(); }

    /// <summary>Sets what the record reports (a backend whose gate ran elsewhere, the cluster's sequencer, copies its counters back).</summary>
    public void RestoreCounters(long waits, long maxLeadAtRead, long maxLead)
    {
        lock (_lock)
        {
            _waits = waits;
            _maxLeadAtRead = maxLeadAtRead;
            _maxLead = maxLead;
        }
    }

    /// <summary>Whether <paramref name="group"/> may start its next step now (the simulator's test; records nothing).</summary>
    public bool MayStart(int group)
    {
        lock (_lock) return _applied[group] - Min() <= Bound;
    }

    /// <summary>Records that <paramref name="group"/> starts a step (after <see cref="MayStart"/> said yes).</summary>
    public void Started(int group)
    {
        lock (_lock) _maxLeadAtRead = Math.Max(_maxLeadAtRead, _applied[group] - Min());
    }

    /// <summary>Records a wait of <paramref name="group"/> (the simulator's: it parks the group until an update frees it).</summary>
    public void Waited(int group)
    {
        lock (_lock) _waits++;
    }

    /// <summary>Blocks until <paramref name="group"/> may start, or <paramref name="stop"/> says so (checked every 20 ms); true when it may start.</summary>
    public bool WaitUntilAllowed(int group, Func<bool> stop)
    {
        lock (_lock)
        {
            bool waited = false;
            while (_applied[group] - Min() > Bound)
            {
                if (!waited) { _waits++; waited = true; }
                if (stop()) return false;
                Monitor.Wait(_lock, 20);
            }
            _maxLeadAtRead = Math.Max(_maxLeadAtRead, _applied[group] - Min());
            return true;
        }
    }

    /// <summary>Records an update applied by <paramref name="group"/> and wakes the groups waiting for it.</summary>
    public void OnApplied(int group)
    {
        lock (_lock)
        {
            _applied[group]++;
            long max = 0;
            foreach (long c in _applied) max = Math.Max(max, c);
            _maxLead = Math.Max(_maxLead, max - Min());
            Monitor.PulseAll(_lock);
        }
    }

    private long Min()
    {
        long min = long.MaxValue;
        foreach (long c in _applied) min = Math.Min(min, c);
        return min;
    }
}
