using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Polyak.Cluster.Tests;

/// <summary>A <c>polyak cluster silo</c> child process on loopback, killed (with its tree) on dispose.</summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(Process process, int siloPort, int gatewayPort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; }

    /// <summary>Gateway port.</summary>
    public int GatewayPort { get; }

    /// <summary>Everything the process printed so far.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>
    /// Starts a silo with the CLI next to the test assembly: with the default failure detection, or with
    /// <paramref name="fastDetection"/> (1 s probes, 2 missed) for tests that kill silos and must see it within seconds.
    /// </summary>
    public static SiloProcess Start(string roles, SiloProcess? primary, bool fastDetection = false, IReadOnlyList<string>? extraArguments = null)
    {
        int siloPort = FreePort(), gatewayPort = FreePort();
        string cli = Path.Combine(AppContext.BaseDirectory, "Polyak.Cli.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { cli, "cluster", "silo", "--port", siloPort.ToString(), "--gateway-port", gatewayPort.ToString(), "--role", roles })
            psi.ArgumentList.Add(a);
        foreach (var a in extraArguments ?? []) psi.ArgumentList.Add(a);
        if (fastDetection)
            foreach (var a in new[] { "--probe-timeout", "1", "--missed-probes", "2" }) psi.ArgumentList.Add(a);
        if (primary is not null)
        {
            psi.ArgumentList.Add("--primary");
            psi.ArgumentList.Add($"127.0.0.1:{primary.SiloPort}");
        }
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var silo = new SiloProcess(process, siloPort, gatewayPort);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.Exited += (_, _) => silo._ready.TrySetException(new InvalidOperationException($"silo {roles} exited early:\n{silo.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Waits until the silo printed its ready line.</summary>
    public async Task WaitReady(TimeSpan timeout) => await _ready.Task.WaitAsync(timeout);

    /// <summary>Kills the process at once (no clean shutdown: a crash).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            if (_process.WaitForExit(10_000)) _process.WaitForExit(); // drain the redirected output
        }
        catch (InvalidOperationException) { }
    }

    /// <summary>Sends SIGTERM and waits for a clean exit; returns the exit code (or null when it did not exit in time).</summary>
    public int? Terminate(TimeSpan timeout)
    {
        if (_process.HasExited) return _process.ExitCode;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) kill.WaitForExit();
        if (!_process.WaitForExit(timeout)) return null;
        // After a timed wait returns true, the redirected output may still be in flight: the untimed wait drains it.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Freezes the process (SIGSTOP) or lets it go on (SIGCONT).</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString()]);
        kill.WaitForExit();
    }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <inheritdoc/>
    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (line.StartsWith("silo ready", StringComparison.Ordinal)) _ready.TrySetResult();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
