using System.Runtime.InteropServices;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into a graceful stop (cancels the token: workers stop at the next update,
/// the run is saved); a second Ctrl-C exits at once with code 130.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration? _term;
    private readonly PosixSignalRegistration? _int;
    private int _count;

    private readonly string _stopping;

    /// <summary>Installs the handlers; <paramref name="stopping"/> is what the first signal prints (what is kept, how to resume).</summary>
    public Interruption(string stopping = "stopping at the next update and saving the run")
    {
        _stopping = stopping;
        try
        {
            // A parent may hand SIGINT down blocked; unblock it on this thread (an ignored one is restored at start-up,
            // see RestoreSigint).
            if (OperatingSystem.IsLinux())
            {
                Span<ulong> set = stackalloc ulong[16]; // sigset_t is 1024 bits on Linux
                set.Clear();
                set[0] = 1UL << (2 - 1);
                unsafe
                {
                    fixed (ulong* p = set) _ = pthread_sigmask(1 /* SIG_UNBLOCK */, p, null);
                }
            }
            _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; Trigger("SIGTERM"); });
            _int = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; Trigger("Ctrl-C"); });
        }
        catch (PlatformNotSupportedException)
        {
            Console.CancelKeyPress += OnCancel;
        }
    }

    /// <summary>
    /// Call first thing in <c>Main</c>: a process started in the background by a non-interactive shell inherits SIGINT
    /// as "ignored", and the runtime, which sets up its signal handling on the first console use, then never handles
    /// Ctrl-C / kill -INT. Restores the default disposition before that, and only when it is ignored: replacing the
    /// runtime's handler once installed would let SIGINT kill the process without saving anything.
    /// </summary>
    public static void RestoreSigint()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (IsIgnored(2 /* SIGINT */)) _ = signal(2, IntPtr.Zero /* SIG_DFL */);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // not glibc: leave the disposition as it is
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr signal(int signum, IntPtr handler);

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int sigaction(int signum, void* act, void* oldact);

    /// <summary>Whether signal <paramref name="signum"/>'s disposition is SIG_IGN (glibc's struct sigaction starts with the handler).</summary>
    private static unsafe bool IsIgnored(int signum)
    {
        byte* old = stackalloc byte[256]; // larger than struct sigaction on every Linux ABI
        new Span<byte>(old, 256).Clear();
        return sigaction(signum, null, old) == 0 && *(IntPtr*)old == 1 /* SIG_IGN */;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe int pthread_sigmask(int how, ulong* set, ulong* oldset);

    /// <summary>Cancelled on the first signal.</summary>
    public CancellationToken Token => _cts.Token;

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        Trigger("Ctrl-C");
    }

    private void Trigger(string what)
    {
        if (Interlocked.Increment(ref _count) == 1)
        {
            Console.Error.WriteLine($"\n{what}: {_stopping} (press Ctrl-C again to exit at once)");
            _cts.Cancel();
        }
        else
        {
            Console.Error.WriteLine($"\n{what} again: exiting now");
            Environment.Exit(ExitCodes.Interrupted);
        }
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _term?.Dispose();
        _int?.Dispose();
        _cts.Dispose();
    }
}
