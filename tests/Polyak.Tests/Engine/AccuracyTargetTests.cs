using Polyak.Execution;
using Polyak.Training;
using Polyak.Tuning;

namespace Polyak.Tests.Engine;

/// <summary>
/// Accuracy targets (issue 14, item 1): the run stops when the held-out accuracy reaches A, measured at evaluation points
/// with the evaluation time excluded; the curve, the summary and the record carry it; a validation split keeps the test
/// split untouched; what cannot honour it refuses it.
/// </summary>
public sealed class AccuracyTargetTests
{
    private static readonly TrainingOptions Base = new()
    {
        Data = "synthetic:mixture,dim=16,n=4000,test=500,sep=3", Model = "softmax", Workers = 2, Batch = 32, LearningRate = 0.1,
        Updates = 20_000, EvalEvery = 20, EvalSize = 500, Seed = 4,
    };

    [Fact]
    public void TheRunStopsAtTheFirstEvaluationWhoseHeldOutAccuracyReachesTheTarget()
    {
        string dir = TestSupport.TempDir("accuracy-target");
        var run = new Trainer().Run(Base with { TargetAccuracy = 0.8, OutDir = dir });
        Assert.Equal(RunStatus.ReachedTarget, run.Status);
        var first = run.Record.Curve.First(p => p.HeldOutAccuracy >= 0.8);
        Assert.Equal(first.Update, run.Record.Summary.UpdatesToTarget);
        Assert.All(run.Record.Curve.TakeWhile(p => p.Update < first.Update), p => Assert.True(p.HeldOutAccuracy < 0.8));
        Assert.True(run.Record.Summary.ReachedTarget);
        // Training time to target: wall at that point minus the evaluations' wall time (2 groups evaluate in parallel).
        double t = run.Record.Summary.TimeToTarget!.Value;
        Assert.InRange(t, 0, first.WallSeconds);
        Assert.True(first.ExcludedSeconds > 0);
        Assert.True(t <= first.WallSeconds - first.ExcludedSeconds!.Value + 0.05);
        Assert.StartsWith("held-out accuracy ", run.Record.StopReason);
        var header = File.ReadLines(Path.Combine(dir, "curve.csv")).First();
        Assert.Equal("update,wall_seconds,simulated_seconds,loss,accuracy,momentum,held_out_accuracy,excluded_seconds", header);
    }

    [Fact]
    public void OnTheSimulatorItIsDeterministicAndReportsSimulatedTime()
    {
        var sim = Base with { Backend = "simulated", Workers = 4, TargetAccuracy = 0.8, Simulation = new SimulationOptions() };
        var a = TestSupport.Train(sim);
        var b = TestSupport.Train(sim);
        Assert.Equal(RunStatus.ReachedTarget, a.Status);
        Assert.Equal(a.Record.Summary.UpdatesToTarget, b.Record.Summary.UpdatesToTarget);
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.Equal(a.Record.Summary.SimulatedTimeToTarget, b.Record.Summary.SimulatedTimeToTarget);
        Assert.True(a.Record.Summary.SimulatedTimeToTarget > 0);
    }

    [Fact]
    public void AValidationSplitIsHeldOutOfTrainingAndUsedInsteadOfTheTestSplit()
    {
        var plan = RunPlanner.Plan(Base with { TargetAccuracy = 0.8, Validation = 600 });
        Assert.Equal(4000 - 600, plan.Data.Train.Count);
        Assert.Equal(600, plan.Data.Validation!.Count);
        Assert.Same(plan.Data.Validation, plan.Data.HeldOut);
        Assert.Equal(500, plan.Data.Test.Count);
        // The same options hold out the same rows (seeded by the data seed).
        var again = RunPlanner.Plan(Base with { TargetAccuracy = 0.8, Validation = 600 });
        Assert.Equal(plan.Data.Validation.Features, again.Data.Validation!.Features);
        var run = TestSupport.Train(Base with { TargetAccuracy = 0.8, Validation = 600 });
        Assert.Equal(RunStatus.ReachedTarget, run.Status);
    }

    [Theory]
    [InlineData("--target-accuracy", "1.5", "must be a fraction in (0, 1]")]
    [InlineData("--target-accuracy", "0", "must be a fraction in (0, 1]")]
    [InlineData("--validation", "100", "give --target-accuracy A too")]
    public void BadAccuracyOptionsAreRefused(string option, string value, string expected)
    {
        var r = TestSupport.RunCli("train", "--data", "synthetic:mixture,dim=8,n=300,test=50", "--updates", "3", option, value,
            "--out", Path.Combine(TestSupport.TempDir("acc-bad"), "run"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
    }

    [Fact]
    public void WhatCannotHonourAnAccuracyTargetRefusesIt()
    {
        var regression = Assert.Throws<ArgumentException>(() => RunPlanner.Plan(Base with { Data = "synthetic:regression,dim=4,n=300,test=50", Model = "linear", TargetAccuracy = 0.9 }));
        Assert.Contains("needs a classifier", regression.Message);
        var tooMany = Assert.Throws<ArgumentException>(() => RunPlanner.Plan(Base with { TargetAccuracy = 0.9, Validation = 4000 }));
        Assert.Contains("leaves no training rows", tooMany.Message);
        var optimize = Assert.Throws<ArgumentException>(() => new OptimizeRequest { Base = Base with { TargetAccuracy = 0.9 }, TimeBudget = 10 }.Validate());
        Assert.Contains("give --target-loss", optimize.Message);
        // A study takes an accuracy target as its criterion.
        new StudyRequest { Base = Base with { TargetAccuracy = 0.9, Workers = 4 }, Levels = [1, 4], LearningRates = [0.1], Budget = 100 }.Validate();
    }
}
