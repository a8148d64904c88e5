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
}
