using System.Diagnostics;

namespace Polyak.Execution;

/// <summary>
/// The process training a run, recorded in the live <c>run.json</c> (status <c>running</c>): a later <c>--resume</c> or
/// <c>polyak runs</c> tells a run still in training from one its process left behind when it died.
/// </summary>
/// <param name="Pid">Process id.</param>
/// <param name="Host">Machine name.</param>
/// <param name="StartedUtc">When the process started (guards against a reused process id).</param>
public sealed record RunProcess(int Pid, string Host, DateTime StartedUtc)
{
    /// <summary>This process.</summary>
    public static RunProcess Current { get; } = Capture();

    private static RunProcess Capture()
    {
        using var p = Process.GetCurrentProcess();
        return new RunProcess(p.Id, Environment.MachineName, p.StartTime.ToUniversalTime());
    }

    /// <summary>
    /// Whether this process is still running: on this machine, a live process with the id that started within a second
    /// of the recorded time. A process on another machine cannot be checked: it counts as alive.
    /// </summary>
    public bool IsAlive()
    {
        if (!string.Equals(Host, Environment.MachineName, StringComparison.Ordinal)) return true;
        if (IsZombie(Pid)) return false; // killed, not yet reaped by its parent
        try
        {
            using var p = Process.GetProcessById(Pid);
            return !p.HasExited && Math.Abs((p.StartTime.ToUniversalTime() - StartedUtc).TotalSeconds) < 1;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>On Linux: whether the process is a zombie (dead, its exit status not collected) or gone.</summary>
    private static bool IsZombie(int pid)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close >= 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return false; // no such process: GetProcessById says so
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
