using System.Diagnostics;

namespace Polyak.Cluster.Tests;

/// <summary>The <c>polyak</c> CLI child processes a test starts (the CLI next to the test assembly), killed with their trees on dispose.</summary>
internal sealed class CliProcesses : IDisposable
{
    private readonly List<Process> _processes = [];

    /// <summary>Starts <c>polyak ARGS</c> with redirected output.</summary>
    public Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Polyak.Cli.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        _processes.Add(p);
        return p;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
    }
}
