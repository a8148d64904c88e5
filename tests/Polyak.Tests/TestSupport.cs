using System.Diagnostics;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Training;

namespace Polyak.Tests;

/// <summary>Shared helpers for tests: small datasets, quiet training, running the CLI as a process.</summary>
public static class TestSupport
{
    /// <summary>A temporary folder deleted by the OS eventually; unique per call.</summary>
    public static string TempDir(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "polyak-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Trains without writing files.</summary>
    public static TrainingResult Train(TrainingOptions o, Action<TrainingContext>? configure = null, DataSplit? data = null) =>
        new Trainer { Configure = configure }.Run(o, default, data);

    /// <summary>
    /// Runs <paramref name="o"/> into a new run folder, interrupts it (as Ctrl-C does) once an update at or past
    /// <paramref name="interruptAt"/> is applied, with checkpoints every <paramref name="checkpointEvery"/> updates, then
    /// resumes the folder to its end: the first part and the resumed run.
    /// </summary>
    public static (TrainingResult First, TrainingResult Resumed) InterruptAndResume(TrainingOptions o, long interruptAt, int checkpointEvery, string name)
    {
        string dir = TempDir(name);
        using var cts = new CancellationTokenSource();
        var first = new Trainer
        {
            Configure = ctx => ctx.UpdateHook = (_, read, tau) => { if (read + tau + 1 >= interruptAt) cts.Cancel(); },
        }.Run(o with { OutDir = dir, CheckpointEvery = checkpointEvery }, cts.Token);
        return (first, new Trainer().Resume(dir));
    }

    /// <summary>Path of the CLI assembly copied next to the tests.</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "Polyak.Cli.dll");

    /// <summary>Runs the CLI in a child process and returns its exit code and output.</summary>
    public static CliResult RunCli(params string[] args) => RunCli(TimeSpan.FromMinutes(2), args);

    /// <summary>Runs the CLI in a child process with a time limit.</summary>
    public static CliResult RunCli(TimeSpan timeout, params string[] args)
    {
        using var p = StartCli(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"polyak {string.Join(' ', args)} did not finish in {timeout}");
        }
        return new CliResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the CLI in a child process with redirected output.</summary>
    public static Process StartCli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(psi) ?? throw new InvalidOperationException("could not start the CLI");
    }
}

/// <summary>Exit code and output of a CLI run.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The last non-empty line of stdout.</summary>
    public string LastLine => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}
