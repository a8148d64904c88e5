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
    private int _count;

    public Interruption()
    {
        Console.CancelKeyPress += OnCancel;
        try { _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; Trigger("SIGTERM"); }); }
        catch (PlatformNotSupportedException) { }
    }

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
            Console.Error.WriteLine($"\n{what}: stopping at the next update and saving the run (press Ctrl-C again to exit at once)");
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
        _cts.Dispose();
    }
}
