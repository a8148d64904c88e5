namespace Polyak.Numerics;

/// <summary>
/// The one helper thread that takes half of a large <see cref="Gemm"/> product when two threads are allowed.
/// If the helper is already busy (another caller is using it), the caller computes the whole product alone,
/// so concurrent workers never wait on each other. Allocates nothing per call.
/// </summary>
internal static unsafe class GemmHelper
{
    private static readonly ManualResetEventSlim Start = new(false, 2000);
    private static readonly ManualResetEventSlim Done = new(false, 2000);
    private static readonly Lock StartLock = new();
    private static Thread? _thread;
    private static int _busy;
    private static Gemm.Job _job;
    private static int _m0, _m1, _n0, _n1;
    private static Exception? _failure;

    /// <summary>Splits <paramref name="job"/> in two along its larger dimension and runs the halves concurrently.</summary>
    public static void RunSplit(in Gemm.Job job)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            job.Run(0, job.M, 0, job.N);
            return;
        }
        try
        {
            EnsureThread();
            int cm0 = 0, cm1 = job.M, cn0 = 0, cn1 = job.N;
            if (job.N >= job.M)
            {
                int split = Math.Min(job.N, (job.N / 2 + 31) / 32 * 32);
                (_m0, _m1, _n0, _n1) = (0, job.M, split, job.N);
                cn1 = split;
            }
            else
            {
                int split = Math.Min(job.M, (job.M / 2 + 23) / 24 * 24);
                (_m0, _m1, _n0, _n1) = (split, job.M, 0, job.N);
                cm1 = split;
            }
            _job = job;
            _failure = null;
            Done.Reset();
            Start.Set();
            Exception? mine = null;
            try { job.Run(cm0, cm1, cn0, cn1); }
            catch (Exception ex) { mine = ex; }
            Done.Wait();
            if (mine is not null) throw mine;
            if (_failure is not null) throw new InvalidOperationException($"gemm helper thread failed: {_failure.Message}", _failure);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private static void EnsureThread()
    {
        if (_thread is not null) return;
        lock (StartLock)
        {
            if (_thread is not null) return;
            var t = new Thread(Loop) { IsBackground = true, Name = "polyak-gemm-helper" };
            t.Start();
            _thread = t;
        }
    }

    private static void Loop()
    {
        while (true)
        {
            Start.Wait();
            Start.Reset();
            try { _job.Run(_m0, _m1, _n0, _n1); }
            catch (Exception ex) { _failure = ex; }
            Done.Set();
        }
    }
}
