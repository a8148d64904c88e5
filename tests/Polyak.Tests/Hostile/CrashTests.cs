using System.Diagnostics;
using System.Text.Json;
using Polyak.Execution;
using Xunit.Abstractions;

namespace Polyak.Tests.Hostile;

/// <summary>
/// A run killed with SIGKILL at random moments, again and again, leaves a folder that is a valid, resumable run every
/// time; resumed to the end, it is bit for bit the uninterrupted run on the simulator, and on threads it reaches the same
/// number of updates and a loss like the uninterrupted run's.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private static readonly string[] Simulated =
    [
        "--backend", "simulated", "--model", "softmax", "--data", "synthetic:mixture,dim=16,n=4000,test=200", "--workers", "4",
        "--batch", "16", "--momentum", "0.5", "--updates", "250000", "--eval-every", "5000", "--eval-size", "200",
        "--checkpoint-every", "1000", "--seed", "3",
    ];

    [Fact]
    public async Task SigkillAtRandomMomentsNeverLosesTheRunAndTheResumedRunIsBitIdentical()
    {
        string reference = TestSupport.TempDir("crash-ref");
        var whole = TestSupport.RunCli(TimeSpan.FromMinutes(3), ["train", .. Simulated, "--out", reference]);
        Assert.True(whole.ExitCode == 0, whole.Stderr);

        string dir = TestSupport.TempDir("crash");
        var random = new Random(12345);
        int kills = 0;
        bool finished = false;
        var clock = Stopwatch.StartNew();
        for (int life = 0; kills < 20 && clock.Elapsed < TimeSpan.FromMinutes(3); life++)
        {
            string[] args = life == 0 ? [.. Simulated, "--out", dir] : ["train", "--resume", dir];
            using var p = life == 0 ? TestSupport.StartCli(["train", .. args]) : TestSupport.StartCli(args);
            var drain = Task.WhenAll(p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync());
            // The first life is killed once its folder exists; later ones at any moment, start-up included.
            if (life == 0)
                while (!File.Exists(Path.Combine(dir, "run.json")) && !p.HasExited) await Task.Delay(10);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(50, 1000)));
            if (p.HasExited)
            {
                var streams = await drain;
                Assert.True(p.ExitCode == 0, $"life {life} ended with exit {p.ExitCode}: {streams[1]}");
                finished = true;
                break;
            }
            p.Kill();
            await p.WaitForExitAsync();
            await drain;
            kills++;
            // Whatever the moment, the folder is a run a resume can continue: a checkpoint that reads, a record that parses.
            var checkpoint = Checkpointer.ReadRun(dir);
            var state = RunFolderState.Read(dir);
            Assert.NotNull(state);
            Assert.Contains(state!.Status, new[] { "running", "completed" });
            Assert.True(checkpoint.State.Version <= 250_000);
        }
        output.WriteLine($"{kills} kills in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(kills >= 20, $"only {kills} kills in {clock.Elapsed.TotalSeconds:F1} s (the run finished: {finished})");
        if (!finished)
        {
            var last = TestSupport.RunCli(TimeSpan.FromMinutes(3), "train", "--resume", dir);
            Assert.True(last.ExitCode == 0, $"the last resume exited {last.ExitCode}: {last.Stderr}");
        }

        var a = CheckpointFile.Read(Path.Combine(reference, CheckpointFile.FileName));
        var b = CheckpointFile.Read(Path.Combine(dir, CheckpointFile.FileName));
        Assert.Equal(250_000, b.State.Version);
        Assert.Equal(a.W, b.W);
        Assert.Equal(a.V, b.V);
        Assert.Equal(a.State.Staleness, b.State.Staleness);
        using var ra = JsonDocument.Parse(File.ReadAllText(Path.Combine(reference, "run.json")));
        using var rb = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json")));
        Assert.Equal("completed", rb.RootElement.GetProperty("status").GetString());
        Assert.Equal(ra.RootElement.GetProperty("summary").GetProperty("final_loss").GetDouble(), rb.RootElement.GetProperty("summary").GetProperty("final_loss").GetDouble());
        Assert.True(rb.RootElement.GetProperty("resumes").GetArrayLength() >= 1);
        Assert.Equal(File.ReadAllLines(Path.Combine(reference, "curve.csv")).Length, File.ReadAllLines(Path.Combine(dir, "curve.csv")).Length);
    }

    [Fact]
    public async Task OnThreadsAKilledRunResumesToTheSameUpdatesAndALikeLoss()
    {
        string[] threads = ["train", "--model", "softmax", "--data", "synthetic:mixture,dim=16,n=4000,test=500", "--workers", "2",
            "--batch", "16", "--updates", "120000", "--eval-every", "5000", "--eval-size", "500", "--checkpoint-every", "2000", "--seed", "4"];
        string reference = TestSupport.TempDir("crash-threads-ref");
        var whole = TestSupport.RunCli(TimeSpan.FromMinutes(3), [.. threads, "--out", reference, "--json"]);
        Assert.True(whole.ExitCode == 0, whole.Stderr);
        string dir = TestSupport.TempDir("crash-threads");
        for (int life = 0; life < 4; life++)
        {
            using var p = TestSupport.StartCli(life == 0 ? [.. threads, "--out", dir] : ["train", "--resume", dir]);
            var drain = Task.WhenAll(p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync());
            while (!File.Exists(Path.Combine(dir, "run.json")) && !p.HasExited) await Task.Delay(10);
            await Task.Delay(700);
            if (p.HasExited) break;
            p.Kill();
            await p.WaitForExitAsync();
            await drain;
            Assert.NotNull(RunFolderState.Read(dir));
        }
        var last = TestSupport.RunCli(TimeSpan.FromMinutes(3), "train", "--resume", dir, "--json");
        Assert.True(last.ExitCode == 0, last.Stderr);
        using var x = JsonDocument.Parse(whole.LastLine);
        using var y = JsonDocument.Parse(last.LastLine);
        Assert.Equal(120_000, y.RootElement.GetProperty("updates").GetInt64());
        double lx = x.RootElement.GetProperty("final_loss").GetDouble(), ly = y.RootElement.GetProperty("final_loss").GetDouble();
        output.WriteLine($"final loss uninterrupted {lx:G5}, killed and resumed {ly:G5}");
        Assert.InRange(ly, 0.85 * lx, 1.15 * lx);
    }
}
