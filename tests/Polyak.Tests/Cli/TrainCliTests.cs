using System.Text.Json;

namespace Polyak.Tests.Cli;

public class TrainCliTests
{
    [Theory]
    [InlineData("--momentum", "1.0", "momentum")]
    [InlineData("--momentum", "-1.5", "momentum")]
    [InlineData("--lr", "0", "--lr")]
    [InlineData("--lr", "-0.1", "--lr")]
    [InlineData("--batch", "0", "--batch")]
    [InlineData("--model", "transformer", "unknown model")]
    [InlineData("--data", "nonsense-set", "unknown data")]
    [InlineData("--schedule", "wobbly", "schedule")]
    [InlineData("--discipline", "optimistic", "discipline")]
    [InlineData("--backend", "quantum", "unknown backend")]
    [InlineData("--backend", "cluster", "--backend cluster needs --cluster HOST:PORT")]
    [InlineData("--distribution", "lognormal", "simulator option(s), but the backend is threads; add --backend simulated")]
    [InlineData("--compute-time", "2", "simulator option(s), but the backend is threads")]
    [InlineData("--cluster", "localhost:1", "--cluster is read by --backend cluster only")]
    public void BadInputIsRefusedWithExitCode2AndAClearMessage(string option, string value, string expected)
    {
        var r = TestSupport.RunCli("train", option, value, "--updates", "5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("error: ", r.Stderr);
    }

    [Fact]
    public void GroupsMustDivideWorkers()
    {
        var r = TestSupport.RunCli("train", "--workers", "4", "--groups", "3", "--updates", "5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--groups 3 does not divide --workers 4", r.Stderr);
    }

    [Fact]
    public void UnknownOptionIsBadUsage()
    {
        var r = TestSupport.RunCli("train", "--wrokers", "4");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--wrokers", r.Stderr);
    }

    [Fact]
    public void JsonSummaryIsTheLastLineWithContractFields()
    {
        var dir = TestSupport.TempDir("cli-json");
        var r = TestSupport.RunCli("train", "--updates", "200", "--workers", "2", "--out", dir, "--target-loss", "0.01", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.LastLine);
        var root = doc.RootElement;
        foreach (var field in new[] { "updates", "initial_loss", "final_loss", "final_accuracy", "updates_per_second", "samples_per_second", "staleness", "reached_target", "run_dir" })
            Assert.True(root.TryGetProperty(field, out _), $"missing field {field}");
        Assert.Equal(200, root.GetProperty("updates").GetInt64());
        Assert.False(root.GetProperty("reached_target").GetBoolean());
        var st = root.GetProperty("staleness");
        Assert.Equal(200, st.GetProperty("histogram").EnumerateArray().Sum(e => e.GetInt64()));
        Assert.True(root.GetProperty("final_loss").GetDouble() < root.GetProperty("initial_loss").GetDouble());
        Assert.True(File.Exists(Path.Combine(dir, "run.json")));
        Assert.True(File.Exists(Path.Combine(dir, "curve.csv")));
    }

    [Fact]
    public void RegressionReportsNullAccuracy()
    {
        var r = TestSupport.RunCli("train", "--data", "synthetic:regression", "--updates", "100", "--out", TestSupport.TempDir("cli-reg"), "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.LastLine);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("final_accuracy").ValueKind);
    }

    [Fact]
    public void DivergenceExitsWith3AndKeepsTheRunRecord()
    {
        var dir = TestSupport.TempDir("cli-diverge");
        var r = TestSupport.RunCli("train", "--data", "synthetic:regression", "--lr", "40", "--updates", "3000", "--out", dir, "--json");
        Assert.Equal(3, r.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json")));
        Assert.Equal("diverged", doc.RootElement.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("stop_reason").GetString()));
    }

    [Fact]
    public void ConfigFileReRunsARunWithOverrides()
    {
        var dir = TestSupport.TempDir("cli-config");
        var first = TestSupport.RunCli("train", "--workers", "1", "--updates", "150", "--seed", "9", "--out", dir, "--json");
        Assert.Equal(0, first.ExitCode);
        var again = TestSupport.RunCli("train", "--config", Path.Combine(dir, "run.json"), "--out", dir + "-again", "--json");
        Assert.Equal(0, again.ExitCode);
        using var a = JsonDocument.Parse(first.LastLine);
        using var b = JsonDocument.Parse(again.LastLine);
        // one worker is deterministic: the re-run ends at the same loss
        Assert.Equal(a.RootElement.GetProperty("final_loss").GetDouble(), b.RootElement.GetProperty("final_loss").GetDouble());
        var over = TestSupport.RunCli("train", "--config", Path.Combine(dir, "run.json"), "--updates", "20", "--out", dir + "-over", "--json");
        using var c = JsonDocument.Parse(over.LastLine);
        Assert.Equal(20, c.RootElement.GetProperty("updates").GetInt64());
    }

    [Fact]
    public void BadConfigFileNamesFileAndPosition()
    {
        var dir = TestSupport.TempDir("cli-badconfig");
        string file = Path.Combine(dir, "run.json");
        File.WriteAllText(file, "{\n  \"workers\": 2,\n  \"batch\": \"many\"\n}");
        var r = TestSupport.RunCli("train", "--config", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(file, r.Stderr);
        Assert.Contains("line 3", r.Stderr);
    }
}
