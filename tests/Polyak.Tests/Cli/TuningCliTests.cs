namespace Polyak.Tests.Cli;

/// <summary>tune, study and optimize refuse the train options they set themselves instead of silently overriding them.</summary>
public class TuningCliTests
{
    [Theory]
    [InlineData("tune --momentum 0.3", "--momenta")]
    [InlineData("tune --momentum auto", "--momenta")]
    [InlineData("tune --time 5", "--updates or --epochs")]
    [InlineData("tune --resume runs/x", "journal")]
    [InlineData("tune --checkpoint-every 10", "no checkpoints")]
    [InlineData("study --quick --groups 4", "--levels")]
    [InlineData("study --quick --momentum-gain 0.5", "fixed momenta")]
    [InlineData("optimize --time-budget 5 --target-loss 0.1 --groups 1", "chooses the number of groups")]
    [InlineData("optimize --time-budget 5 --target-loss 0.1 --momentum 0.5", "--momenta")]
    [InlineData("optimize --time-budget 5 --target-loss 0.1 --epochs 1", "--time-budget")]
    public void OverriddenOptionsAreRefusedWithExitCode2(string commandLine, string expected)
    {
        var r = TestSupport.RunCli(commandLine.Split(' '));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: ", r.Stderr);
        Assert.Contains("does not take", r.Stderr);
        Assert.Contains(expected, r.Stderr);
    }

    [Fact]
    public void ATuneRunOfAnySeedIsReproducedByTrainWithItsDataSeed()
    {
        // Tune runs share data made with the base seed; run k uses seed k. The journal records both, and
        // train --seed k --data-seed S gives the same run (the simulator is deterministic).
        string dir = TestSupport.TempDir("tune-data-seed");
        var t = TestSupport.RunCli("tune", "--backend", "simulated", "--workers", "4", "--lrs", "0.5", "--momenta", "0.5", "--seeds", "3",
            "--seed", "5", "--updates", "300", "--out", Path.Combine(dir, "t"));
        Assert.Equal(0, t.ExitCode);
        var entry = File.ReadAllLines(Path.Combine(dir, "t", "tune.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Single(e => e.GetProperty("seed").GetUInt64() == 7);
        Assert.Equal(5UL, entry.GetProperty("data_seed").GetUInt64());
        var r = TestSupport.RunCli("train", "--backend", "simulated", "--workers", "4", "--lr", "0.5", "--momentum", "0.5", "--seed", "7",
            "--data-seed", "5", "--updates", "300", "--eval-every", "3", "--out", Path.Combine(dir, "r"), "--json");
        Assert.Equal(0, r.ExitCode);
        using var summary = System.Text.Json.JsonDocument.Parse(r.LastLine);
        Assert.Equal(entry.GetProperty("final_loss").GetDouble(), summary.RootElement.GetProperty("final_loss").GetDouble());
        // Without --data-seed the data follow the run seed, so the run differs.
        var other = TestSupport.RunCli("train", "--backend", "simulated", "--workers", "4", "--lr", "0.5", "--momentum", "0.5", "--seed", "7",
            "--updates", "300", "--eval-every", "3", "--out", Path.Combine(dir, "o"), "--json");
        using var otherSummary = System.Text.Json.JsonDocument.Parse(other.LastLine);
        Assert.NotEqual(entry.GetProperty("final_loss").GetDouble(), otherSummary.RootElement.GetProperty("final_loss").GetDouble());
    }

    [Fact]
    public void SeveralOverriddenOptionsAreNamedInOneError()
    {
        var r = TestSupport.RunCli("tune", "--momentum", "0.3", "--time", "5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("tune does not take --momentum, --time", r.Stderr);
    }

    [Fact]
    public void AMomentumFromAConfigFileIsOnlyTheBaseTheGridOverrides()
    {
        string dir = TestSupport.TempDir("tune-config");
        string config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, """{"momentum": 0.5}""");
        var r = TestSupport.RunCli("tune", "--config", config, "--lrs", "0.1", "--momenta", "0", "--updates", "20", "--out", Path.Combine(dir, "t"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("1 learning rate(s) x 1 momenta", r.Stderr);
        // No --target-loss: the table shows the final loss it ranks by, not a censored "20+".
        Assert.Contains("best: lr 0.1, mu 0: final loss ", r.Stdout);
        Assert.DoesNotContain("20+", r.Stdout);
    }

    [Fact]
    public async Task CtrlCDuringATuneSaysWhatWasKeptAndTheCommandToResumeAndProgressHasATotalAndAnEta()
    {
        string dir = TestSupport.TempDir("tune-sigint");
        string[] args = ["tune", "--data", "synthetic:mixture,dim=32,n=3000,test=100", "--workers", "2", "--updates", "40000",
            "--lrs", "0.05,0.1,0.2", "--momenta", "0,0.5,0.9", "--out", dir];
        using var p = TestSupport.StartCli(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var lines = new List<string>();
        var stderr = Task.Run(async () =>
        {
            while (await p.StandardError.ReadLineAsync() is string line) lock (lines) lines.Add(line);
        });
        // Before: the tune died silently on Ctrl-C once anything had been printed (the handler was replaced).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !p.HasExited)
        {
            lock (lines) if (lines.Count(l => l.StartsWith('[')) >= 2) break;
            await Task.Delay(20);
        }
        if (p.HasExited) Assert.Fail("the tune ended before the signal");
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", p.Id.ToString()])) await kill.WaitForExitAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)), "the tune did not stop after SIGINT");
        await stderr;
        _ = await stdout;
        Assert.Equal(130, p.ExitCode);
        var progress = lines.Where(l => l.StartsWith('[')).ToList();
        Assert.Matches(@"^\[1/9\] g=2 lr 0\.05 mu 0 seed 1: .* \(\d+\.\d\d s\), ETA \d+s$", progress[0]);
        string interrupted = Assert.Single(lines, l => l.StartsWith("tune interrupted after ", StringComparison.Ordinal));
        int kept = File.ReadAllLines(Path.Combine(dir, "tune.jsonl")).Length;
        Assert.Contains($"of 9 run(s): {kept} finished run(s) kept in {Path.Combine(dir, "tune.jsonl")}", interrupted);
        Assert.Contains($"resume with: ./polyak tune --data synthetic:mixture,dim=32,n=3000,test=100 --workers 2 --updates 40000 --lrs 0.05,0.1,0.2 --momenta 0,0.5,0.9 --out {dir}", interrupted);

        // The command it names resumes: the kept runs come from the journal, the rest run, the last line has no ETA left.
        var again = TestSupport.RunCli(args);
        Assert.Equal(0, again.ExitCode);
        var rerun = again.Stderr.Split('\n').Where(l => l.StartsWith('[')).ToList();
        Assert.Equal(9, rerun.Count);
        Assert.Equal(kept, rerun.Count(l => l.EndsWith("(journal)", StringComparison.Ordinal)));
        Assert.StartsWith("[9/9]", rerun[^1]);
        Assert.DoesNotContain("ETA", rerun[^1]);
    }
}
