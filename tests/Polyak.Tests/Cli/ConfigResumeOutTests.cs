using System.Text.Json;
using Polyak.Cli;
using Polyak.Execution;
using Polyak.Training;

namespace Polyak.Tests.Cli;

/// <summary>
/// <c>--config</c> accepts the command line's option names and refuses unknown keys; <c>--resume</c> refuses options it
/// cannot honour; <c>--out</c> never overwrites a folder that already holds a run.
/// </summary>
public class ConfigResumeOutTests
{
    private const string SmallData = "synthetic:mixture,dim=8,n=300,test=50";

    private static string WriteConfig(string body, string name = "c.json")
    {
        string path = Path.Combine(TestSupport.TempDir("config-keys"), name);
        File.WriteAllText(path, body);
        return path;
    }

    [Fact]
    public void ConfigAcceptsTheCommandLinesOptionNames()
    {
        var o = TrainingOptionSet.LoadRunFile(WriteConfig("""
            { "lr": 0.01, "workers": 4, "groups": 2, "momentum": 0.3, "weight-decay": 0.001, "batch": 16, "time": 5,
              "target-loss": 0.2, "eval-every": 7, "eval-size": 100, "checkpoint-every": 0, "discipline": "hogwild",
              "model": "softmax", "seed": 3, "distribution": "constant", "compute-time": 2, "comm-delay": 0.5,
              "sync-cost": "0.1:0.01", "straggler": "0:4,1:2", "out": "runs/mine" }
            """));
        Assert.Equal(0.01, o.LearningRate);
        Assert.Equal(4, o.Workers);
        Assert.Equal(2, o.Groups);
        Assert.Equal(0.3, o.Momentum);
        Assert.Equal(0.001, o.WeightDecay);
        Assert.Equal(16, o.Batch);
        Assert.Equal(5, o.TimeSeconds);
        Assert.Equal(0.2, o.TargetLoss);
        Assert.Equal(7, o.EvalEvery);
        Assert.Equal(100, o.EvalSize);
        Assert.Equal(0L, o.CheckpointEvery);
        Assert.Equal(UpdateDiscipline.Hogwild, o.Discipline);
        Assert.Equal("softmax", o.Model);
        Assert.Equal(3UL, o.Seed);
        Assert.Equal("constant", o.Simulation.Distribution);
        Assert.Equal(2, o.Simulation.MeanComputeTime);
        Assert.Equal(0.5, o.Simulation.CommunicationDelay);
        Assert.Equal(0.1, o.Simulation.SyncBase);
        Assert.Equal(0.01, o.Simulation.SyncPerWorker);
        Assert.Equal(new Dictionary<int, double> { [0] = 4, [1] = 2 }, o.Simulation.Slowdown);
        Assert.Equal("runs/mine", o.OutDir); // bare options may name their folder (a run record's folder is dropped)
    }

    [Fact]
    public void ConfigAcceptsAutoMomentumAsOnTheCommandLine()
    {
        var o = TrainingOptionSet.LoadRunFile(WriteConfig("""{ "momentum": "auto:0.8", "momentum-gain": 0.5, "momentum-bounds": "-0.5,0.9", "momentum-period": 20 }"""));
        Assert.NotNull(o.AutoMomentum);
        Assert.Equal(0.8, o.AutoMomentum!.Target);
        Assert.Equal(0.5, o.AutoMomentum.Gain);
        Assert.Equal(-0.5, o.AutoMomentum.Min);
        Assert.Equal(0.9, o.AutoMomentum.Max);
        Assert.Equal(20, o.AutoMomentum.Period);
    }

    [Theory]
    [InlineData("""{ "modle": "softmax" }""", "unknown key 'modle'", "did you mean 'model'")]
    [InlineData("""{ "Workers": 4 }""", "unknown key 'Workers'", "did you mean 'workers'")]
    [InlineData("""{ "learningrate": 0.1 }""", "unknown key 'learningrate'", "did you mean 'learning_rate'")]
    [InlineData("""{ "zzz": 1 }""", "unknown key 'zzz'", "weight-decay")]
    [InlineData("""{ "simulation": { "distributon": "constant" } }""", "unknown key 'simulation.distributon'", "did you mean 'distribution'")]
    [InlineData("""{ "lr": 0.1, "learning_rate": 0.2 }""", "'lr'", "'learning_rate'")]
    [InlineData("""{ "resume": "runs/x" }""", "unknown key 'resume'", "accepted")]
    public void UnknownOrDuplicateConfigKeysAreRefusedNamingTheFileAndTheKey(string body, string expected, string hint)
    {
        string path = WriteConfig(body);
        var ex = Assert.Throws<ArgumentException>(() => TrainingOptionSet.LoadRunFile(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.Contains(hint, ex.Message);
    }

    [Fact]
    public void ARunRecordWithAnUnknownKeyIsRefusedAndAFullOneIsAccepted()
    {
        string dir = TestSupport.TempDir("config-record");
        new Trainer().Run(new TrainingOptions { Data = SmallData, Model = "softmax", Batch = 8, Updates = 10, OutDir = dir, Momentum = 0.2 });
        string runJson = Path.Combine(dir, "run.json");
        var o = TrainingOptionSet.LoadRunFile(runJson);
        Assert.Equal(0.2, o.Momentum);
        Assert.Null(o.OutDir); // a re-run never writes into the recorded run folder

        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(runJson))!.AsObject();
        record["statsu"] = "completed";
        string bad = Path.Combine(dir, "bad-top.json");
        File.WriteAllText(bad, record.ToJsonString());
        var ex = Assert.Throws<ArgumentException>(() => TrainingOptionSet.LoadRunFile(bad));
        Assert.Contains("unknown key 'statsu'", ex.Message);
        Assert.Contains("did you mean 'status'", ex.Message);

        record.Remove("statsu");
        record["config"]!.AsObject()["modle"] = "mlp";
        File.WriteAllText(bad, record.ToJsonString());
        ex = Assert.Throws<ArgumentException>(() => TrainingOptionSet.LoadRunFile(bad));
        Assert.Contains("unknown key 'config.modle'", ex.Message);
    }

    [Fact]
    public void CliConfigWithCliNamesRunsWithThemAndAnUnknownKeyExitsWith2()
    {
        string dir = TestSupport.TempDir("cli-config-names");
        string good = Path.Combine(dir, "good.json");
        File.WriteAllText(good, $$"""{ "lr": 0.01, "updates": 20, "data": "{{SmallData}}", "model": "softmax", "batch": 8 }""");
        var r = TestSupport.RunCli("train", "--config", good, "--out", Path.Combine(dir, "run"), "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.LastLine);
        Assert.Equal(0.01, doc.RootElement.GetProperty("learning_rate").GetDouble());
        Assert.Equal(20, doc.RootElement.GetProperty("updates").GetInt64());

        string bad = Path.Combine(dir, "c.json");
        File.WriteAllText(bad, """{ "modle": "softmax" }""");
        var e = TestSupport.RunCli("train", "--config", bad, "--updates", "5", "--out", Path.Combine(dir, "never"));
        Assert.Equal(2, e.ExitCode);
        Assert.Contains($"error: {bad}: unknown key 'modle' (did you mean 'model'?)", e.Stderr);
        Assert.False(Directory.Exists(Path.Combine(dir, "never")));
    }

    [Fact]
    public void ResumeRefusesOptionsItCannotHonourAndKeepsTheRun()
    {
        string dir = TestSupport.TempDir("cli-resume-options");
        string elsewhere = TestSupport.TempDir("cli-resume-elsewhere");
        var first = TestSupport.RunCli("train", "--data", SmallData, "--model", "softmax", "--batch", "8", "--updates", "20", "--out", dir);
        Assert.Equal(0, first.ExitCode);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "run.json"));

        var r = TestSupport.RunCli("train", "--resume", dir, "--updates", "40", "--workers", "4", "--model", "mlp", "--out", elsewhere);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: --resume continues the recorded configuration; these options cannot change it: --workers, --model, --out", r.Stderr);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "run.json")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));

        var ok = TestSupport.RunCli("train", "--resume", dir, "--updates", "40", "--checkpoint-every", "10", "--json");
        Assert.Equal(0, ok.ExitCode);
        using var doc = JsonDocument.Parse(ok.LastLine);
        Assert.Equal(40, doc.RootElement.GetProperty("updates").GetInt64());
    }

    [Fact]
    public void OutRefusesAFolderThatHoldsARunButAcceptsAnEmptyOne()
    {
        string dir = TestSupport.TempDir("cli-out-taken"); // exists and is empty: fine
        var first = TestSupport.RunCli("train", "--data", SmallData, "--model", "softmax", "--batch", "8", "--updates", "20", "--out", dir);
        Assert.Equal(0, first.ExitCode);
        string runJson = Path.Combine(dir, "run.json");
        byte[] before = File.ReadAllBytes(runJson);
        byte[] checkpoint = File.ReadAllBytes(Path.Combine(dir, CheckpointFile.FileName));

        var again = TestSupport.RunCli("train", "--data", SmallData, "--model", "softmax", "--batch", "8", "--updates", "30", "--out", dir);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains($"error: --out {dir} already holds a run ({runJson}); continue it with --resume {dir} or choose another --out", again.Stderr);
        Assert.Equal(before, File.ReadAllBytes(runJson));
        Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(dir, CheckpointFile.FileName)));

        // --config run.json --out (its own folder) is refused the same way
        var rerun = TestSupport.RunCli("train", "--config", runJson, "--out", dir);
        Assert.Equal(2, rerun.ExitCode);
        Assert.Contains("already holds a run", rerun.Stderr);
        Assert.Equal(before, File.ReadAllBytes(runJson));
    }
}
