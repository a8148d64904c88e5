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
    public async Task ASecondRunForAFolderInTrainingIsRefusedNamingTheOwner()
    {
        string dir = TestSupport.TempDir("lock");
        var first = Task.Run(() => new Trainer().Run(Options(dir)));
        string owner = Path.Combine(dir, RunFolderLock.OwnerFileName);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(owner) && !first.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(File.Exists(owner), "the first run never took the folder's lock");

        var ex = Assert.Throws<ArgumentException>(() => new Trainer().Run(Options(dir) with { TimeSeconds = 1 }));
        Assert.Contains("is in use", ex.Message);
        Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", ex.Message);
        // A direct attempt on the lock is refused as well (the run's own check may come first for a resume).
        Assert.Throws<ArgumentException>(() => RunFolderLock.Acquire(dir));

        var result = await first;
        Assert.Null(result.Failure);
        Assert.False(File.Exists(owner)); // released with the run
        Assert.True(File.Exists(Path.Combine(dir, RunFolderLock.FileName)));
        // The folder now holds a finished run: a new run is refused for that reason, not for the lock.
        Assert.Contains("already holds a run", Assert.Throws<ArgumentException>(() => new Trainer().Run(Options(dir))).Message);
        using (RunFolderLock.Acquire(dir)) { } // free again
    }

    [Fact]
    public async Task TwoCliRunsWithOneOutNeverBothWrite()
    {
        string dir = Path.Combine(TestSupport.TempDir("lock-cli"), "run");
        string[] train = ["train", "--model", "softmax", "--data", "synthetic:mixture,dim=8,n=2000,test=200", "--backend", "threads", "--workers", "2", "--time", "4", "--out", dir];
        using var first = TestSupport.StartCli(train);
        var drain = Task.WhenAll(first.StandardOutput.ReadToEndAsync(), first.StandardError.ReadToEndAsync());
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!File.Exists(Path.Combine(dir, RunFolderLock.OwnerFileName)) && !first.HasExited && DateTime.UtcNow < deadline) await Task.Delay(20);
        var second = TestSupport.RunCli(train);
        Assert.Equal(2, second.ExitCode);
        Assert.True(second.Stderr.Contains("is in use", StringComparison.Ordinal), second.Stderr);
        Assert.Contains($"process {first.Id}", second.Stderr);
        await first.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var streams = await drain;
        Assert.True(first.ExitCode == 0, streams[1]);
        var state = RunFolderState.Read(dir);
        Assert.Equal("completed", state!.Status);
        // One run's files: one record, one curve, one checkpoint.
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
