namespace Polyak.Execution;

/// <summary>
/// A tiny fixed pool of helper threads that runs <c>body(i)</c> for i in [0, count) with the calling thread taking
/// part; allocation-free per run (the body is a cached delegate). Results must not depend on which thread ran which
/// index: the simulator only gives it pure gradient evaluations, which keeps runs bit-identical.
/// </summary>
internal sealed class WorkPool : IDisposable
{
    private readonly Thread[] _helpers;
    private readonly SemaphoreSlim _start = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private Action<int>? _body;
    private int _count;
    // The claim counter: the run's generation in the high 32 bits, the next index in the low 32. A helper still looping
    // from an earlier run (or woken late by its permit) gets a claim of the old generation and drops it, so it can
    // never take an index of the next run (which ran that index twice, concurrently, and let the run return early).
    private long _next;
    private int _generation;
    private int _remaining;
    private volatile bool _disposed;
    private Exception? _failure;

    /// <summary>Creates a pool with <paramref name="helpers"/> helper threads (0 = everything runs inline).</summary>
    public WorkPool(int helpers)
    {
        _helpers = new Thread[Math.Max(0, helpers)];
        for (int i = 0; i < _helpers.Length; i++)
        {
            _helpers[i] = new Thread(HelperLoop) { IsBackground = true, Name = $"polyak-sim-helper-{i}" };
            _helpers[i].Start();
        }
    }

    /// <summary>Number of threads that can work at once (helpers plus the caller).</summary>
    public int Parallelism => _helpers.Length + 1;

    /// <summary>
    /// Runs <paramref name="body"/> for every index in [0, <paramref name="count"/>); rethrows the first failure (an
    /// interruption as <see cref="OperationCanceledException"/>, anything else wrapped).
    /// </summary>
    public void Run(int count, Action<int> body)
    {
        if (count <= 0) return;
        if (_helpers.Length == 0 || count == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        // A new generation first (a full fence), then the run's fields, then the counter that opens it for claims.
        int generation = Interlocked.Increment(ref _generation);
        _failure = null;
        _body = body;
        Volatile.Write(ref _count, count);
        Volatile.Write(ref _remaining, count);
        _done.Reset();
        Interlocked.Exchange(ref _next, (long)generation << 32);
        _start.Release(Math.Min(_helpers.Length, count - 1));
        Work();
        _done.Wait();
        if (_failure is OperationCanceledException cancelled) throw new OperationCanceledException(cancelled.Message, cancelled, cancelled.CancellationToken);
        if (_failure is { } f) throw new InvalidOperationException($"a simulated worker's gradient failed: {f.Message}", f);
    }

    private void Work()
    {
        while (true)
        {
            long claim = Interlocked.Increment(ref _next) - 1;
            int generation = (int)(claim >> 32), i = (int)(claim & 0xFFFF_FFFF);
            int count = Volatile.Read(ref _count);
            var body = _body;
            // The fields read above belong to this claim's run only if no newer run has begun since (Run bumps the
            // generation before it writes them); an old claim, or an index past the count, ends this helper's turn.
            Interlocked.MemoryBarrier();
            if (generation != Volatile.Read(ref _generation) || i >= count) return;
            try
            {
                body!(i);
            }
            catch (Exception ex)
            {
                // A real failure wins over an interruption that landed first in the same batch.
                if (Interlocked.CompareExchange(ref _failure, ex, null) is OperationCanceledException first && ex is not OperationCanceledException)
                    Interlocked.CompareExchange(ref _failure, ex, first);
            }
            if (Interlocked.Decrement(ref _remaining) == 0) _done.Set();
        }
    }

    private void HelperLoop()
    {
        while (true)
        {
            _start.Wait();
            if (_disposed) return;
            Work();
        }
    }

    /// <summary>Stops the helper threads.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_helpers.Length > 0) _start.Release(_helpers.Length);
        foreach (var t in _helpers) t.Join();
        _start.Dispose();
        _done.Dispose();
    }
}
