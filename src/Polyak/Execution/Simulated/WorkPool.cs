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
    private int _next = Idle;
    private int _remaining;
    private volatile bool _disposed;
    private Exception? _failure;

    // Between runs the claim counter sits far above any count, so a helper that wakes late claims nothing.
    private const int Idle = int.MaxValue / 2;

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
        _failure = null;
        _body = body;
        Volatile.Write(ref _count, count);
        Volatile.Write(ref _remaining, count);
        _done.Reset();
        Interlocked.Exchange(ref _next, 0);
        _start.Release(Math.Min(_helpers.Length, count - 1));
        Work();
        _done.Wait();
        Volatile.Write(ref _next, Idle);
        _body = null;
        if (_failure is OperationCanceledException cancelled) throw new OperationCanceledException(cancelled.Message, cancelled, cancelled.CancellationToken);
        if (_failure is { } f) throw new InvalidOperationException($"a simulated worker's gradient failed: {f.Message}", f);
    }

    private void Work()
    {
        while (true)
        {
            int i = Interlocked.Increment(ref _next) - 1;
            if (i >= Volatile.Read(ref _count)) return;
            var body = _body;
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
