using Polyak.Execution;
using Polyak.Training;

namespace Polyak.Tests.Engine;

/// <summary>
/// One owner per run folder: while a run trains, a second run or resume for the same folder is refused, naming the
/// process that holds it; the kernel releases the lock when that process dies (the crash tests resume after SIGKILL
/// twenty times), and the lock's own files never make a folder look foreign.
/// </summary>
public sealed class RunFolderLockTests
{
    private static TrainingOptions Options(string dir) => new()
    {
        Model = "softmax", Data = "synthetic:mixture,dim=8,n=2000,test=200", Backend = "threads", Workers = 2, Batch = 16,
        TimeSeconds = 3, EvalEvery = 200, EvalSize = 200, Seed = 4, OutDir = dir,
    };

    [Fact]
    public void ASecondRunForAFolderInTrainingIsRefusedNamingTheOwner()
    {
        string dir = TestSupport.TempDir("lock");
        // The first run trains on a thread of its own (not the pool, which a busy test host can starve) until cancelled.
        using var cancel = new CancellationTokenSource();
        TrainingResult? result = null;
        var thread = new Thread(() => result = new Trainer().Run(Options(dir) with { TimeSeconds = 120 }, cancel.Token)) { IsBackground = true };
        thread.Start();
        string owner = Path.Combine(dir, RunFolderLock.OwnerFileName);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!File.Exists(owner) && thread.IsAlive && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.True(File.Exists(owner), $"the first run never took the folder's lock (it ended: {!thread.IsAlive}, {result?.Status} {result?.Failure})");

        var ex = Assert.Throws<ArgumentException>(() => new Trainer().Run(Options(dir) with { TimeSeconds = 1 }));
        Assert.Contains("is in use", ex.Message);
        Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", ex.Message);
        // A direct attempt on the lock is refused as well (the run's own check may come first for a resume).
        Assert.Throws<ArgumentException>(() => RunFolderLock.Acquire(dir));

        cancel.Cancel();
        Assert.True(thread.Join(TimeSpan.FromSeconds(90)), "the first run did not stop when cancelled");
        Assert.Null(result!.Failure);
        Assert.False(File.Exists(owner)); // released with the run
        Assert.True(File.Exists(Path.Combine(dir, RunFolderLock.FileName)));
        // The folder now holds a run: a new run is refused for that reason, not for the lock.
        Assert.Contains("already holds a run", Assert.Throws<ArgumentException>(() => new Trainer().Run(Options(dir))).Message);
        using (RunFolderLock.Acquire(dir)) { } // free again
    }

    [Fact]
    public void TwoCliRunsWithOneOutNeverBothWrite()
    {
        string dir = Path.Combine(TestSupport.TempDir("lock-cli"), "run");
        string[] train = ["train", "--model", "softmax", "--data", "synthetic:mixture,dim=8,n=2000,test=200", "--backend", "threads", "--workers", "2", "--time", "120", "--out", dir];
        using var first = TestSupport.StartCli(train);
        var errors = new System.Text.StringBuilder();
        first.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        first.OutputDataReceived += (_, _) => { };
        first.BeginErrorReadLine();
        first.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!File.Exists(Path.Combine(dir, RunFolderLock.OwnerFileName)) && !first.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.False(first.HasExited, "the first run ended before the second started");
        var second = TestSupport.RunCli(train);
        Assert.Equal(2, second.ExitCode);
        Assert.True(second.Stderr.Contains("is in use", StringComparison.Ordinal), second.Stderr);
        Assert.Contains($"process {first.Id}", second.Stderr);
        // Stop the first as Ctrl-C would: it saves its run and exits 130.
        using (var interrupt = System.Diagnostics.Process.Start("kill", ["-INT", first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) interrupt.WaitForExit();
        Assert.True(first.WaitForExit(90_000), "the first run did not stop on SIGINT");
        first.WaitForExit();
        Assert.True(first.ExitCode == 130, $"exit {first.ExitCode}: {errors}");
        Assert.Equal("interrupted", RunFolderState.Read(dir)!.Status);
        // One run's files: one record, one checkpoint.
        Assert.Single(Directory.GetFiles(dir, "run.json"));
        Assert.Single(Directory.GetFiles(dir, CheckpointFile.FileName));
    }

    [Fact]
    public void AFolderHoldingOnlyTheLockFilesTakesANewRun()
    {
        string dir = TestSupport.TempDir("lock-left");
        File.WriteAllText(Path.Combine(dir, RunFolderLock.FileName), "");
        OutputFolder.CheckNewRun(dir);
        var r = new Trainer().Run(Options(dir) with { TimeSeconds = null, Updates = 50 });
        Assert.Null(r.Failure);
        // Anything else still makes the folder foreign.
        string other = TestSupport.TempDir("lock-foreign");
        File.WriteAllText(Path.Combine(other, RunFolderLock.FileName), "");
        File.WriteAllText(Path.Combine(other, "notes.txt"), "mine");
        Assert.Contains("'notes.txt'", Assert.Throws<ArgumentException>(() => OutputFolder.CheckNewRun(other)).Message);
    }
}
