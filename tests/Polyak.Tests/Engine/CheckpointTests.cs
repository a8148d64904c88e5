using System.Diagnostics;
using System.Text.Json;
using Polyak.Execution;
using Polyak.Training;
using Polyak.Optimization;

namespace Polyak.Tests.Engine;

public class CheckpointTests
{
    private static readonly TrainingOptions Base = new()
    {
        Data = "synthetic:mixture,dim=16,n=2000,test=100",
        Model = "softmax",
        Batch = 16,
        LearningRate = 0.2,
        Momentum = 0.7,
        Workers = 1,
        Seed = 3,
        EvalEvery = 50,
        EvalSize = 200,
        Schedule = "step:100:0.5",
    };

    [Fact]
    public void InterruptedAndResumedRunEqualsUninterruptedRun()
    {
        var full = TestSupport.Train(Base with { Updates = 400 });
        string dir = TestSupport.TempDir("resume");
        var first = new Trainer().Run(Base with { Updates = 170, OutDir = dir });
        Assert.True(File.Exists(Path.Combine(dir, CheckpointFile.FileName)));
        var resumed = new Trainer().Resume(dir, o => o with { Updates = 400 });
        Assert.Equal(400, resumed.Record.Summary.Updates);
        Assert.Equal(full.Parameters, resumed.Parameters);
        Assert.Equal(full.MomentumBuffer, resumed.MomentumBuffer);
        Assert.Equal(full.Record.Summary.Staleness.Histogram, resumed.Record.Summary.Staleness.Histogram);
        // the resumed record continues the curve of the first part
        Assert.Contains(resumed.Record.Curve, p => p.Update == 0);
        Assert.Contains(resumed.Record.Curve, p => p.Update == 400);
        Assert.Equal(first.Record.Curve[0].Loss, resumed.Record.Curve[0].Loss);
    }

    [Fact]
    public void SimulatedRunInterruptedByTheUserAndResumedIsBitIdentical()
    {
        var sim = Base with
        {
            Backend = "simulated", Workers = 8, Groups = 4, Updates = 400,
            Simulation = new SimulationOptions { Distribution = "exponential", SyncBase = 0.05 },
        };
        var full = TestSupport.Train(sim);
        string dir = TestSupport.TempDir("sim-resume");
        using var cts = new CancellationTokenSource();
        var first = new Trainer
        {
            Configure = ctx => ctx.UpdateHook = (_, read, tau) => { if (read + tau + 1 >= 137) cts.Cancel(); },
        }.Run(sim with { OutDir = dir, CheckpointEvery = 50 }, cts.Token);
        Assert.Equal(RunStatus.Interrupted, first.Status);
        Assert.InRange(first.Record.Summary.Updates, 137, 150);
        var resumed = new Trainer().Resume(dir);
        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.Equal(full.Parameters, resumed.Parameters);
        Assert.Equal(full.MomentumBuffer, resumed.MomentumBuffer);
        Assert.Equal(full.Record.Summary.Staleness.Histogram, resumed.Record.Summary.Staleness.Histogram);
        Assert.Equal(full.Record.Summary.SimulatedSeconds, resumed.Record.Summary.SimulatedSeconds);
        Assert.Equal(full.Record.Curve.Where(p => p.Update % 50 == 0).Select(p => p.Loss),
            resumed.Record.Curve.Where(p => p.Update % 50 == 0).Select(p => p.Loss));
    }

    [Fact]
    public void AutoMomentumRunResumedOnTheSimulatorIsBitIdentical()
    {
        // The controller's estimator state travels in the checkpoint, so control resumes exactly where it stopped.
        var sim = Base with
        {
            Backend = "simulated", Workers = 8, Groups = 8, Updates = 900, Momentum = null, Schedule = "constant", LearningRate = 0.1,
            AutoMomentum = new AutoMomentumOptions { Target = 0.6, Period = 25 },
            Simulation = new SimulationOptions { Distribution = "exponential" },
        };
        var full = TestSupport.Train(sim);
        string dir = TestSupport.TempDir("auto-resume");
        var first = new Trainer().Run(sim with { Updates = 530, OutDir = dir });
        Assert.Equal(530, first.Record.Summary.Updates);
        var resumed = new Trainer().Resume(dir, o => o with { Updates = 900 });
        Assert.Equal(RunStatus.Completed, resumed.Status);
        var fullSeries = full.Record.AutoMomentum!.Series;
        var resumedSeries = resumed.Record.AutoMomentum!.Series;
        // Control was active before the interruption and kept adjusting right after it.
        Assert.Contains(fullSeries, p => p.Update < 530 && double.IsFinite(p.Total));
        Assert.Contains(resumedSeries, p => p.Update == 550 && double.IsFinite(p.Total));
        Assert.Equal(fullSeries, resumedSeries);
        Assert.Equal(full.Parameters, resumed.Parameters);
        Assert.Equal(full.MomentumBuffer, resumed.MomentumBuffer);
    }

    [Fact]
    public void PeriodicCheckpointsAreWrittenAndValid()
    {
        string dir = TestSupport.TempDir("periodic");
        new Trainer().Run(Base with { Updates = 300, CheckpointEvery = 100, OutDir = dir });
        var (state, w, v) = CheckpointFile.Read(Path.Combine(dir, CheckpointFile.FileName));
        Assert.Equal(300, state.Version);
        Assert.Equal(w.Length, state.ParameterCount);
        Assert.Equal(300, state.Staleness.Sum());
        Assert.Equal(300 * 16, state.SamplesDrawn[0]);
        Assert.False(File.Exists(Path.Combine(dir, CheckpointFile.FileName + ".tmp")));
    }

    [Fact]
    public void CorruptedTruncatedAndForeignCheckpointsAreRefusedClearly()
    {
        string dir = TestSupport.TempDir("corrupt");
        new Trainer().Run(Base with { Updates = 20, OutDir = dir });
        string path = Path.Combine(dir, CheckpointFile.FileName);
        byte[] good = File.ReadAllBytes(path);

        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        Assert.Contains("checksum mismatch", Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(path)).Message);

        File.WriteAllBytes(path, good.AsSpan(0, good.Length - 100).ToArray());
        var ex = Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(path));
        Assert.Contains(path, ex.Message);

        var foreign = (byte[])good.Clone();
        foreign[0] = (byte)'X';
        File.WriteAllBytes(path, foreign);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(path)).Message);

        // a header declaring an absurd state size allocates nothing and fails cleanly
        var huge = (byte[])good.Clone();
        BitConverter.GetBytes(int.MaxValue).CopyTo(huge, 12);
        File.WriteAllBytes(path, huge);
        Assert.Contains("does not fit", Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(path)).Message);

        // nothing was overwritten by the failed reads
        Assert.Equal(huge, File.ReadAllBytes(path));
    }

    [Fact]
    public void ResumingWithADifferentModelSizeIsRefused()
    {
        string dir = TestSupport.TempDir("mismatch");
        new Trainer().Run(Base with { Updates = 20, OutDir = dir });
        var ex = Assert.Throws<ArgumentException>(() => new Trainer().Resume(dir, o => o with { Data = "synthetic:mixture,dim=17,n=2000,test=100" }));
        Assert.Contains("parameters", ex.Message);
    }

    [Fact]
    public async Task SigintStopsGracefullyAndTheRunResumesToCompletion()
    {
        string dir = TestSupport.TempDir("sigint");
        using var p = TestSupport.StartCli("train", "--workers", "2", "--updates", "100000000", "--out", dir, "--json",
            "--data", "synthetic:mixture,dim=64,n=5000,test=200", "--eval-every", "2000");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // start-up, data generation, then training
        if (p.HasExited) Assert.Fail("training ended before the signal: " + await stderr);
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString()])) kill.WaitForExit();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)), "the process did not stop after SIGINT");
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("--resume", await stderr);
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json")));
        Assert.Equal("interrupted", record.RootElement.GetProperty("status").GetString());
        long stoppedAt = record.RootElement.GetProperty("summary").GetProperty("updates").GetInt64();
        Assert.True(stoppedAt > 0);
        var (state, _, _) = CheckpointFile.Read(Path.Combine(dir, CheckpointFile.FileName));
        Assert.Equal(stoppedAt, state.Version);

        var resumed = TestSupport.RunCli("train", "--resume", dir, "--updates", (stoppedAt + 500).ToString(), "--json");
        Assert.Equal(0, resumed.ExitCode);
        using var summary = JsonDocument.Parse(resumed.LastLine);
        Assert.Equal(stoppedAt + 500, summary.RootElement.GetProperty("updates").GetInt64());
        Assert.Equal("completed", summary.RootElement.GetProperty("status").GetString());
        _ = await stdout;
    }
}
