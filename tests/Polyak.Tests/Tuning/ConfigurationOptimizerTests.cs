using System.Globalization;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Tuning;
using Xunit;
using Xunit.Abstractions;
using Polyak.Training;

namespace Polyak.Tests.Tuning;

/// <summary><c>polyak optimize</c>: the must-show comparison with the exhaustive study, steady-state re-tuning, bad input, threads.</summary>
public class ConfigurationOptimizerTests(ITestOutputHelper output)
{
    /// <summary>The quick problem over N = 16 with a synchronisation cost growing with the group size (0.1 + 0.05 (k - 1) s).</summary>
    private static TrainingOptions Problem(string backend = "simulated", int workers = 16) => new()
    {
        Model = "linear",
        Data = "synthetic:regression,dim=20,n=4000,test=500,cond=200,noise=0.1",
        Backend = backend,
        Workers = workers,
        Batch = 16,
        LearningRate = 0.32,
        TargetLoss = 0.008,
        EvalSize = 500,
        EvalEvery = 10,
        Seed = 1,
        Simulation = new SimulationOptions { SyncBase = 0.1, SyncPerWorker = 0.05 },
    };

    private static readonly Lazy<DataSplit> SharedData = new(() => RunPlanner.LoadData(Problem()));

    [Fact]
    public void Optimize_is_within_1_2x_of_the_exhaustive_study_at_a_fraction_of_its_cost()
    {
        var data = SharedData.Value;
        var opt = new ConfigurationOptimizer().Run(new OptimizeRequest
        {
            Base = Problem(),
            TimeBudget = 8000,
            OutDir = TestSupport.TempDir("optimize"),
        }, default, data);
        Assert.True(opt.ReachedTarget);

        var study = new Study(new SessionTrialRunner(data, 1), new TuningJournal(null)).Run(new StudyRequest
        {
            Base = Problem() with { LearningRate = null },
            Levels = [1, 2, 4, 8, 16],
            LearningRates = [0.04, 0.08, 0.16, 0.32, 0.64],
            Budget = 3000,
            EvalEvery = 10,
        });
        var bestLevel = study.Levels.Where(l => double.IsFinite(l.PredictedTimeToTarget)).MinBy(l => l.PredictedTimeToTarget)!;
        var trials = study.Levels.SelectMany(l => l.Tuning!.Trials).Where(t => t.Status != TrialResult.Pruned).ToArray();
        long studyUpdates = trials.Sum(t => t.Updates);
        double studySimulated = trials.Sum(t => t.Updates * t.TimePerUpdate);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"optimize: g={opt.Groups} lr={opt.LearningRate} mu={opt.Momentum}, predicted {opt.PredictedTimeToTarget:F2}, trained to target in {opt.TrainingTime:F2} {opt.TimeUnit}; cold start {opt.ColdStartUpdates} updates, {opt.ColdStartCost:F0} {opt.TimeUnit}, {opt.ColdStartWallSeconds:F2} s wall"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"study: best g={bestLevel.Groups} lr={bestLevel.BestLr} mu={bestLevel.BestMomentum}: {bestLevel.UpdatesToTarget} updates x {bestLevel.TimePerUpdate:F4} = {bestLevel.PredictedTimeToTarget:F2} {opt.TimeUnit}; cost {study.RunsExecuted} runs, {studyUpdates} updates, {studySimulated:F0} {opt.TimeUnit}, {study.WallSeconds:F2} s wall"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio time-to-target {opt.TrainingTime / bestLevel.PredictedTimeToTarget:F3}; cost ratio (updates) {(double)opt.ColdStartUpdates / studyUpdates:F3}, (simulated s) {opt.ColdStartCost / studySimulated:F3}"));
        Assert.True(opt.TrainingTime <= 1.2 * bestLevel.PredictedTimeToTarget,
            $"optimize's time to target {opt.TrainingTime} > 1.2 x the study's best {bestLevel.PredictedTimeToTarget}");
        Assert.True(opt.ColdStartUpdates < 0.5 * studyUpdates, $"cold start {opt.ColdStartUpdates} updates is not a fraction of the study's {studyUpdates}");
        Assert.True(opt.ColdStartCost < 0.5 * studySimulated);
        Assert.Contains(opt.Decisions, d => d.Phase == "hardware");
        Assert.Contains(opt.Decisions, d => d.Phase == "choose" && d.Chosen);
    }

    [Fact]
    public void Short_epochs_retune_from_the_checkpoint_and_log_every_decision()
    {
        string dir = TestSupport.TempDir("optimize-steady");
        var opt = new ConfigurationOptimizer().Run(new OptimizeRequest
        {
            Base = Problem(),
            TimeBudget = 8000,
            EpochShare = 0.002, // 16 simulated s per epoch: the target needs a few epochs
            OutDir = dir,
        }, default, SharedData.Value);
        foreach (var d in opt.Decisions.Where(d => d.Phase is "epoch" or "retune" or "halve" && (d.Chosen || d.Phase == "epoch")))
            output.WriteLine($"{d.Phase} g={d.Groups} lr={d.LearningRate} mu={d.Momentum} {d.Reason}");
        Assert.True(opt.ReachedTarget);
        Assert.True(opt.Decisions.Count(d => d.Phase == "epoch") >= 2);
        Assert.Contains(opt.Decisions, d => d.Phase == "retune" && d.Chosen);
        Assert.True(opt.RetuneCost > 0);
        Assert.True(File.Exists(Path.Combine(dir, "optimize.json")));
        Assert.True(File.ReadAllLines(Path.Combine(dir, "decisions.csv")).Length == opt.Decisions.Count + 1);
        using var run = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run", "run.json")));
        Assert.Equal(opt.Decisions.Count, run.RootElement.GetProperty("optimize").GetProperty("decisions").GetArrayLength());
    }

    [Theory]
    [InlineData(8000.0, false, 300L, "needs a target loss")]
    [InlineData(0.0, true, 300L, "--time-budget must be a positive")]
    [InlineData(50.0, true, 300L, "too small to measure")]
    [InlineData(1000.0, true, 300L, "too small: the cold start alone")]
    [InlineData(8000.0, true, 5L, "too small to measure")]
    public void Bad_input_is_rejected_with_a_clear_message(double budget, bool withTarget, long tuneUpdates, string message)
    {
        var o = Problem() with { TargetLoss = withTarget ? 0.008 : null };
        var ex = Assert.Throws<ArgumentException>(() => new ConfigurationOptimizer().Run(new OptimizeRequest
        {
            Base = o,
            TimeBudget = budget,
            TuneUpdates = tuneUpdates,
            OutDir = TestSupport.TempDir("optimize-bad"),
        }, default, SharedData.Value));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Cli_optimize_runs_end_to_end_on_threads()
    {
        string dir = TestSupport.TempDir("optimize-threads");
        var r = TestSupport.RunCli("optimize", "--model", "linear", "--data", "synthetic:regression,dim=20,n=4000,test=500,cond=200,noise=0.1",
            "--backend", "threads", "--workers", "4", "--batch", "16", "--lr", "0.32", "--target-loss", "0.008", "--eval-size", "500",
            "--time-budget", "20", "--tune-updates", "150", "--probe-updates", "2000", "--out", dir, "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("phase", r.Stdout);
        Assert.Contains("\"reached_target\":true", r.LastLine);
        Assert.True(File.Exists(Path.Combine(dir, "run", "run.json")));
        // A second optimize into the same folder is refused: it would overwrite the first one's run.
        var again = TestSupport.RunCli("optimize", "--model", "linear", "--time-budget", "20", "--target-loss", "0.008", "--out", dir);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already holds an optimize run", again.Stderr);
        var missing = TestSupport.RunCli("optimize", "--updates", "5");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--time-budget", missing.Stderr);
    }
}
