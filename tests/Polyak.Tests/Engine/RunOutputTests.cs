using System.Text.Json;
using Polyak.Cli;
using Polyak.Execution;
using Polyak.Training;

namespace Polyak.Tests.Engine;

/// <summary>What a run writes for machines and people: JSON numbers, curve.csv, status names, stop reasons, throughput.</summary>
public class RunOutputTests
{
    private static readonly TrainingOptions Small = new()
    {
        Data = "synthetic:mixture,dim=8,n=640,test=50",
        Model = "softmax",
        Batch = 32,
        LearningRate = 0.3,
        Momentum = 0.4,
        Workers = 1,
        EvalEvery = 5,
        EvalSize = 100,
        Seed = 3,
    };

    private sealed record Sample(double Plain, double? Nullable, double[] Values);

    [Fact]
    public void NonFiniteDoublesAreWrittenAsNull()
    {
        string json = JsonSerializer.Serialize(new Sample(double.NaN, double.PositiveInfinity, [1.5, double.NegativeInfinity]), Json.Compact);
        Assert.Equal("{\"plain\":null,\"nullable\":null,\"values\":[1.5,null]}", json);
        var boxed = new Dictionary<string, object?> { ["seconds_per_update"] = double.NaN, ["total"] = 0.25 };
        Assert.Equal("{\"seconds_per_update\":null,\"total\":0.25}", JsonSerializer.Serialize(boxed, Json.Compact));
    }

    [Fact]
    public void NullAndOldNaNStringsReadBack()
    {
        var s = JsonSerializer.Deserialize<Sample>("{\"plain\":null,\"nullable\":null,\"values\":[null,2]}", Json.Compact)!;
        Assert.True(double.IsNaN(s.Plain));
        Assert.Null(s.Nullable); // null stays null for an optional number
        Assert.True(double.IsNaN(s.Values[0]));
        var old = JsonSerializer.Deserialize<Sample>("{\"plain\":\"NaN\",\"nullable\":\"-Infinity\",\"values\":[\"Infinity\"]}", Json.Indented)!;
        Assert.True(double.IsNaN(old.Plain));
        Assert.Equal(double.NegativeInfinity, old.Nullable);
        Assert.Equal(double.PositiveInfinity, old.Values[0]);
        var point = JsonSerializer.Deserialize<EvalPoint>("{\"update\":0,\"wall_seconds\":0,\"simulated_seconds\":null,\"loss\":2.3,\"accuracy\":null,\"momentum\":\"NaN\"}", Json.Compact)!;
        Assert.True(double.IsNaN(point.Momentum));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Sample>("{\"plain\":\"abc\",\"nullable\":1,\"values\":[]}", Json.Compact));
    }

    [Fact]
    public void RunFolderHasNoNaNStringsAndCurveCsvHoldsTheFixedMomentum()
    {
        string dir = TestSupport.TempDir("run-output");
        var result = new Trainer().Run(Small with { Updates = 20, OutDir = dir });
        Assert.Equal(RunStatus.Completed, result.Status);
        string runJson = File.ReadAllText(Path.Combine(dir, "run.json"));
        Assert.DoesNotContain("NaN", runJson);
        Assert.All(result.Record.Curve, p => Assert.Equal(0.4, p.Momentum));
        var lines = File.ReadAllLines(Path.Combine(dir, "curve.csv"));
        Assert.Equal("update,wall_seconds,simulated_seconds,loss,accuracy,momentum,held_out_accuracy,excluded_seconds", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Equal("0.4", l.Split(',')[5]));
        Assert.All(lines.Skip(1), l => Assert.EndsWith(",,", l)); // no accuracy target: those columns stay empty
        // run.json still re-runs with --config, and the checkpoint still loads
        Assert.Equal(result.Record.Config.Momentum, TrainingOptionSet.LoadRunFile(Path.Combine(dir, "run.json")).Momentum);
        var (state, _, _) = CheckpointFile.Read(Path.Combine(dir, CheckpointFile.FileName));
        Assert.Equal(20, state.Version);
    }

    [Fact]
    public void EpochBudgetIsNamedInTheStopReason()
    {
        var epochs = TestSupport.Train(Small with { Epochs = 0.5 });
        Assert.Equal(10, epochs.Record.Summary.Updates); // 0.5 x 640 / 32
        Assert.Equal("reached the epoch limit (0.5 epochs = 10 updates)", epochs.Record.StopReason);
        var updates = TestSupport.Train(Small with { Epochs = 0.5, Updates = 7 });
        Assert.Equal("reached the update limit (7)", updates.Record.StopReason);
    }

    [Fact]
    public void StatusNamesAreSnakeCase()
    {
        Assert.Equal("reached_target", RunStatusNames.Of(RunStatus.ReachedTarget));
        Assert.Equal("completed", RunStatusNames.Of(RunStatus.Completed));
        var reached = TestSupport.Train(Small with { Data = "synthetic:mixture,dim=20,n=3000,test=200", Updates = 5000, TargetLoss = 2.0, EvalEvery = 10 });
        Assert.True(RunStatus.ReachedTarget == reached.Status, $"{reached.Record.StopReason}; final loss {reached.Record.Summary.FinalLoss}, {reached.Record.Summary.Updates} updates");
        Assert.Equal("reached_target", reached.Record.Status);
        Assert.Equal("reached_target", TrainSummary.Of(reached).Status);
    }

    [Theory]
    [InlineData("simulated", 1.0)]   // one event loop runs every evaluation: all of their time is wall time
    [InlineData("threads", 0.25)]    // 4 groups evaluate in parallel
    public void ThroughputExcludesTheWallTimeOfEvaluations(string backend, double share)
    {
        var r = TestSupport.Train(new TrainingOptions { Backend = backend, Workers = 4, Updates = 400, EvalEvery = 20, Seed = 3 });
        var s = r.Record.Summary;
        Assert.True(s.EvalSeconds > 0);
        Assert.Equal(share * s.EvalSeconds, s.EvalWallSeconds!.Value, 12);
        Assert.Equal(s.Updates / (s.WallSeconds - s.EvalWallSeconds.Value), s.UpdatesPerSecond, 6);
        // The backend section says what the timings were measured on.
        if (backend == "threads")
        {
            var b = Assert.IsType<ThreadsBackendRecord>(r.Record.Backend);
            Assert.Equal(4, b.WorkerThreads);
            Assert.Equal(Environment.ProcessorCount, b.ProcessorCount);
            Assert.Equal("atomic", b.Discipline);
        }
    }

    [Fact]
    public void ThroughputLineSaysEvaluationIsExcluded()
    {
        var s = new RunSummary
        {
            Updates = 1563, UpdatesPerSecond = 9675, SamplesPerSecond = 619200, SecondsPerUpdate = 1 / 9675.0,
            WallSeconds = 0.23, EvalSeconds = 0.14, Staleness = new StalenessSummary(0, 0, [1563]),
        };
        Assert.Equal("  throughput   9,675 updates/s, 619,200 samples/s (103.4 us/update) excluding evaluation (0.23 s wall, 0.07 s evaluating)",
            TrainCommand.ThroughputLine(s, groups: 2));
        Assert.DoesNotContain("NaN", TrainCommand.ThroughputLine(s with { Updates = 0, UpdatesPerSecond = 0, SamplesPerSecond = 0, SecondsPerUpdate = double.NaN }, 1));
    }

    [Fact]
    public void EvaluationSecondsCountOnlyEvaluationsWhileTraining()
    {
        // The initial (update 0) and final evaluations are outside the wall clock, so they are not subtracted from it.
        var r = TestSupport.Train(Small with { Updates = 10, EvalEvery = 1000 });
        Assert.Equal(0.0, r.Record.Summary.EvalSeconds);
        Assert.True(r.Record.Summary.EvalSeconds <= r.Record.Summary.WallSeconds);
    }
}
