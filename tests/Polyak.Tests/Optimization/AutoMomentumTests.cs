using System.Globalization;
using System.Text.Json;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Optimization;
using Polyak.Tuning;
using Xunit;
using Xunit.Abstractions;
using Polyak.Training;

namespace Polyak.Tests.Optimization;

/// <summary>Closed-loop momentum (<c>--momentum auto</c>): the must-show comparison at g = 16, settling with one worker, bad input, threads.</summary>
public class AutoMomentumTests(ITestOutputHelper output)
{
    /// <summary>The study's quick problem (ill-conditioned least squares) with a target near the noise floor, N = 16.</summary>
    internal static TrainingOptions Problem(int groups, int workers = 16) => new()
    {
        Model = "linear",
        Data = "synthetic:regression,dim=20,n=4000,test=500,cond=200,noise=0.1",
        Backend = "simulated",
        Workers = workers,
        Groups = groups,
        Batch = 16,
        TargetLoss = 0.008,
        EvalSize = 500,
        EvalEvery = 10,
        Updates = 4000,
        Seed = 1,
    };

    private static readonly Lazy<DataSplit> SharedData = new(() => RunPlanner.LoadData(Problem(16)));

    private static double Median(IEnumerable<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    [Fact]
    public void Auto_at_16_async_groups_is_within_1_3x_of_the_grid_best_and_beats_fixed_0_9()
    {
        var data = SharedData.Value;
        var runner = new SessionTrialRunner(data, 1);
        ulong[] seeds = [1, 2, 3];
        var grid = new Tuner(runner, new TuningJournal(null)).Run(new TuningRequest
        {
            Base = Problem(16),
            LearningRates = [0.04, 0.08, 0.16, 0.32],
            Momenta = [-0.6, -0.4, -0.2, 0, 0.2, 0.4, 0.6, 0.8, 0.9],
            Seeds = seeds,
            Budget = 4000,
            EvalEvery = 10,
        });
        var best = grid.Best!;
        // Fixed mu = 0.9 at its own best learning rate (smaller ones included: 0.9 diverges at 0.04 and above).
        var fixed09 = new Tuner(runner, new TuningJournal(null)).Run(new TuningRequest
        {
            Base = Problem(16),
            LearningRates = [0.005, 0.01, 0.02, 0.04],
            Momenta = [0.9],
            Seeds = seeds,
            Budget = 4000,
            EvalEvery = 10,
        }).Best!;
        double fixedScore = fixed09.Status == TrialResult.Reached ? fixed09.Score : double.PositiveInfinity;

        // Auto: no target given, so it comes from a short synchronous tune at the same learning rate as the grid's best.
        var autoRuns = seeds.Select(s => TestSupport.Train(Problem(16) with
        {
            LearningRate = best.LearningRate,
            AutoMomentum = new AutoMomentumOptions(),
            Seed = s,
        }, data: data)).ToArray();
        foreach (var r in autoRuns) Assert.Equal(RunStatus.ReachedTarget, r.Status);
        double auto = Median(autoRuns.Select(r => (double)r.Record.Summary.UpdatesToTarget!.Value));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"g=16: grid best lr {best.LearningRate} mu {best.Momentum}: {best.Score} updates; fixed 0.9 best (lr {fixed09.LearningRate}): {fixed09.ScoreText}; auto (lr {best.LearningRate}): {auto} updates [{string.Join(", ", autoRuns.Select(r => r.Record.Summary.UpdatesToTarget))}], targets [{string.Join(", ", autoRuns.Select(r => r.Record.AutoMomentum!.Target))}], final mu_e [{string.Join(", ", autoRuns.Select(r => r.Record.AutoMomentum!.FinalExplicit.ToString("F2", CultureInfo.InvariantCulture)))}]; ratio {auto / best.Score:F2}"));
        Assert.True(auto <= 1.3 * best.Score, $"auto {auto} > 1.3 x grid best {best.Score}");
        Assert.True(auto < fixedScore, $"auto {auto} not below fixed 0.9 {fixed09.ScoreText}");
        // The controller acted: explicit momentum is far below the target total (asynchrony supplies the rest).
        foreach (var r in autoRuns) Assert.True(r.Record.AutoMomentum!.FinalExplicit < r.Record.AutoMomentum.Target - 0.4);
    }

    [Fact]
    public void Without_a_target_the_synchronous_tune_picks_the_lowest_near_best_momentum_and_the_g16_run_reaches()
    {
        // The study's quick problem at g = 16 and the learning rate its full tune chose there (0.453). The old pre-tune
        // searched the momentum at that rate only, picked 0.8 (the same alpha / (1 - mu) as the synchronous optimum),
        // and the run diverged.
        var quick = StudyPresets.Quick().Base with { Groups = 16, LearningRate = 0.453, Updates = 3000, EvalEvery = 2 };
        var data = RunPlanner.LoadData(quick);
        var (target, tune) = SynchronousMomentumTarget.Find(quick, data, 0.453, 750);
        var best = tune.Best!;
        Assert.Equal(TrialResult.Reached, best.Status);
        var near = tune.Points.Where(p => p.Status == TrialResult.Reached && p.Score <= SynchronousMomentumTarget.NearTie * best.Score).ToArray();
        Assert.Equal(near.Min(p => p.Momentum), target);
        Assert.True(near.Length > 1, "no other point within 1.1x of the best: the rule was not exercised");
        Assert.True(target < 0.8, $"target {target}");
        Assert.Equal(5, tune.Points.Select(p => p.LearningRate).Distinct().Count());
        var run = TestSupport.Train(quick with { AutoMomentum = new AutoMomentumOptions() }, data: data);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"target {target}; run: {run.Status} at {run.Record.Summary.UpdatesToTarget}; pre-tune {run.Record.AutoMomentum!.TuneUpdates} updates"));
        Assert.Equal(RunStatus.ReachedTarget, run.Status);
        Assert.Equal("synchronous tune", run.Record.AutoMomentum!.TargetSource);
        Assert.True(run.Record.AutoMomentum.TuneUpdates > 0);
    }

    [Fact]
    public void With_one_worker_the_explicit_momentum_settles_near_the_target()
    {
        var o = Problem(1, workers: 1) with
        {
            LearningRate = 0.08,
            TargetLoss = null,
            Updates = 2000,
            AutoMomentum = new AutoMomentumOptions { Target = 0.6, Initial = 0, Gain = 0.5 },
        };
        var r = TestSupport.Train(o, data: SharedData.Value);
        var a = r.Record.AutoMomentum!;
        var late = a.Series.Where(p => p.Update > 1000 && double.IsFinite(p.Total)).ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"N=1: start {a.Start}, final mu_e {a.FinalExplicit:F3}, late total mean {late.Average(p => p.Total):F3}, late implicit mean {late.Average(p => p.Implicit):F4}"));
        Assert.Equal(0, a.Start);
        Assert.InRange(a.FinalExplicit, 0.55, 0.65);
        Assert.InRange(late.Average(p => p.Total), 0.55, 0.65);
        // The curve carries the momentum column.
        Assert.Equal(0.6, r.Record.Curve[^1].Momentum, 1);
    }

    [Theory]
    [InlineData(0.995, 0.3, -0.9, 0.99, "outside the momentum bounds")]
    [InlineData(-0.95, 0.3, -0.9, 0.99, "outside the momentum bounds")]
    [InlineData(0.5, 0.0, -0.9, 0.99, "gain gamma must be in (0, 1]")]
    [InlineData(0.5, 1.5, -0.9, 0.99, "gain gamma must be in (0, 1]")]
    [InlineData(0.5, 0.3, 0.5, 0.2, "bounds must satisfy")]
    public void Bad_settings_are_rejected_with_a_clear_message(double target, double gain, double min, double max, string message)
    {
        var o = Problem(4) with { AutoMomentum = new AutoMomentumOptions { Target = target, Gain = gain, Min = min, Max = max } };
        var ex = Assert.Throws<ArgumentException>(() => ResolvedOptions.ValidateGeneric(o));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void A_budget_too_small_for_the_synchronous_tune_is_an_error()
    {
        var o = Problem(4) with { AutoMomentum = new AutoMomentumOptions(), Updates = 60 };
        var ex = Assert.Throws<ArgumentException>(() => TestSupport.Train(o, data: SharedData.Value));
        Assert.Contains("too small to measure", ex.Message);
    }

    [Theory]
    [InlineData("--momentum", "auto:0.995")]
    [InlineData("--momentum-gain", "0")]
    [InlineData("--momentum-bounds", "0.5")]
    public void Cli_bad_auto_momentum_input_exits_2(string option, string value)
    {
        var args = new List<string> { "train", "--updates", "5", "--momentum", "auto:0.5" };
        if (option == "--momentum") args[^1] = value;
        else { args.Add(option); args.Add(value); }
        var r = TestSupport.RunCli(args.ToArray());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("momentum", r.Stderr);
    }

    [Fact]
    public void With_constant_gradient_times_it_steers_on_the_staleness_model()
    {
        // Constant times on the simulator: staleness is exactly M - 1 = 3 for every update, a fixed delay, not the
        // memoryless law the trajectory estimate assumes. The controller must notice (no fresh updates, where the
        // geometric law of the same mean has 1/4) and steer on s / (1 + s) = 0.75: explicit -> target - 0.75.
        var o = Problem(4, workers: 4) with
        {
            LearningRate = 0.08,
            TargetLoss = null,
            Updates = 2000,
            AutoMomentum = new AutoMomentumOptions { Target = 0.6, Initial = 0.5, Gain = 0.5, Signal = MomentumSignal.Trajectory },
            Simulation = new SimulationOptions { Distribution = "constant" },
        };
        var r = TestSupport.Train(o, data: SharedData.Value);
        var a = r.Record.AutoMomentum!;
        var adjusted = a.Series.Where(p => double.IsFinite(p.Total)).ToArray();
        Assert.NotEmpty(adjusted);
        Assert.All(adjusted, p => Assert.True(p.FromStaleness));
        Assert.All(adjusted, p => Assert.InRange(p.Implicit, 0.745, 0.75)); // the first updates of the window are fresher
        Assert.Equal(adjusted.Length, a.StalenessFallbacks);
        Assert.Equal(-0.15, a.FinalExplicit, 2);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"constant times, M=4: final mu_e {a.FinalExplicit:F3}, {a.StalenessFallbacks} of {adjusted.Length} periods on the staleness model"));
    }

    [Fact]
    public void With_exponential_gradient_times_it_steers_on_the_trajectory_estimate()
    {
        // The memoryless case the estimator is derived for: the trajectory estimate is used in (nearly) every period.
        var o = Problem(4, workers: 4) with
        {
            LearningRate = 0.08,
            TargetLoss = null,
            Updates = 2000,
            AutoMomentum = new AutoMomentumOptions { Target = 0.6, Initial = 0.5, Gain = 0.5, Signal = MomentumSignal.Trajectory },
        };
        var a = TestSupport.Train(o, data: SharedData.Value).Record.AutoMomentum!;
        int adjusted = a.Series.Count(p => double.IsFinite(p.Total));
        Assert.True(a.StalenessFallbacks <= adjusted / 10, $"{a.StalenessFallbacks} of {adjusted} periods fell back on the staleness model");
    }

    [Fact]
    public void Threads_backend_records_and_plots_the_control_series()
    {
        string dir = TestSupport.TempDir("auto-threads");
        var o = Problem(2, workers: 2) with
        {
            Backend = "threads",
            LearningRate = 0.08,
            TargetLoss = null,
            Updates = 800,
            AutoMomentum = new AutoMomentumOptions { Target = 0.5, Period = 20 },
            OutDir = dir,
        };
        var r = new Trainer { Artifacts = Polyak.Reporting.RunFigures.All }.Run(o, default, SharedData.Value);
        Assert.Equal(RunStatus.Completed, r.Status);
        foreach (var f in new[] { "momentum.csv", "momentum.png", "momentum.svg", "run.json" }) Assert.True(File.Exists(Path.Combine(dir, f)), f);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json")));
        var auto = doc.RootElement.GetProperty("auto_momentum");
        Assert.Equal(40, auto.GetProperty("series").GetArrayLength());
        Assert.Equal(0.5, auto.GetProperty("target").GetDouble());
        Assert.Contains(r.Record.Summary.Updates, new long[] { 800 });
        Assert.All(r.Record.Curve, p => Assert.True(double.IsFinite(p.Momentum)));
    }
}

/// <summary>Auto momentum across a checkpoint: the resumed run keeps the explicit momentum, the control series and the estimator.</summary>
public class AutoMomentumResumeTests
{
    [Fact]
    public void Resume_continues_the_momentum_and_the_series()
    {
        string dir = TestSupport.TempDir("auto-resume");
        var o = AutoMomentumTests.Problem(16) with
        {
            TargetLoss = null,
            LearningRate = 0.32,
            Updates = 1000,
            AutoMomentum = new AutoMomentumOptions { Target = 0.8 },
            OutDir = dir,
        };
        var first = new Trainer().Run(o);
        double mu = first.Record.AutoMomentum!.FinalExplicit;
        Assert.Equal(20, first.Record.AutoMomentum.Series.Count);
        var resumed = new Trainer().Resume(dir, x => x with { Updates = 2000 });
        var a = resumed.Record.AutoMomentum!;
        Assert.Equal(40, a.Series.Count);
        Assert.Equal(first.Record.AutoMomentum.Series, a.Series.Take(20));
        // The checkpoint carries the estimator, so control goes on at the first period after the resume (no new warm-up).
        Assert.True(double.IsFinite(a.Series[20].Total), $"no estimate at update {a.Series[20].Update}");
        Assert.NotEqual(mu, a.Series[20].Explicit);
        Assert.Contains("1000,", File.ReadAllText(Path.Combine(dir, "momentum.csv")));
    }
}
