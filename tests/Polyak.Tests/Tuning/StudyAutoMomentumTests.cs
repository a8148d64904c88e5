using System.Globalization;
using Polyak.Execution;
using Polyak.Optimization;
using Polyak.Reporting;
using Polyak.Tuning;
using Xunit.Abstractions;

namespace Polyak.Tests.Tuning;

/// <summary>
/// <c>study --auto</c>: closed-loop momentum toward the best synchronous momentum, learning rate searched alone, against
/// the full learning-rate x momentum tune — the autopilot's claim, checked on a smaller version of the quick problem.
/// </summary>
public sealed class StudyAutoMomentumTests(ITestOutputHelper output)
{
    /// <summary>The quick preset on the learning rates around its optimum (0.32-0.905) and 3 seeds.</summary>
    private static StudyRequest QuickAround() => StudyPresets.Quick() with
    {
        Levels = [1, 4, 16],
        LearningRates = [0.226, 0.32, 0.453, 0.64, 0.905],
        Seeds = [1, 2, 3],
        AutoMomentum = true,
    };

    [Fact]
    public void Auto_momentum_is_within_1_2x_of_the_tuned_optimum_at_g_1_4_and_16_on_the_quick_problem()
    {
        var request = QuickAround();
        var result = new Study(SessionTrialRunner.ForOptions(request.Base), new TuningJournal(null)).Run(request);
        Assert.Equal([1, 4, 16], result.AutoMomentum.Select(r => r.Groups));
        var sync = result.Levels.Single(l => l.Groups == 1).WithNegative;
        foreach (var r in result.AutoMomentum)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"g={r.Groups}: auto {r.Auto.UpdatesToTarget} (lr {r.Auto.LearningRate}) vs tuned {r.Tuned.UpdatesToTarget} (lr {r.Tuned.LearningRate}, mu {r.Tuned.Momentum}): {r.Ratio:F3} {r.RatioInterval?.Text}"));
            Assert.Equal(sync.Momentum, r.Target);
            Assert.True(r.Auto.Reached, $"auto did not reach the target at g = {r.Groups}");
            Assert.True(r.Ratio <= 1.2, $"auto {r.Auto.UpdatesToTarget} > 1.2 x tuned {r.Tuned.UpdatesToTarget} at g = {r.Groups}");
            Assert.NotNull(r.RatioInterval);
            Assert.Equal(r.Tuned.UpdatesToTarget, result.Levels.Single(l => l.Groups == r.Groups).WithNegative.UpdatesToTarget);
            Assert.Equal(request.LearningRates.Count * request.Seeds.Count, r.AutoRuns);
        }
        // At g = 1 there is no staleness: auto holds the explicit momentum at the target, the synchronous optimum itself.
        Assert.Equal(1.0, result.AutoMomentum[0].Ratio, 3);
        Assert.Contains(result.Reading, l => l.StartsWith("Auto momentum is within 1.2x of the tuned optimum at every level", StringComparison.Ordinal));
        string dir = TestSupport.TempDir("study-auto");
        StudyReport.Write(result, dir);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(dir, "auto-momentum.csv")).Length);
        Assert.Contains("Auto momentum against the tuned optimum", File.ReadAllText(Path.Combine(dir, "index.html")));
    }

    [Fact]
    public void A_tune_with_auto_momentum_runs_its_own_trials_not_the_fixed_momentum_ones()
    {
        // The tuner used to drop the controller from every run: an "auto" tune then reused the fixed-momentum runs of its target.
        var request = QuickAround();
        var journal = new TuningJournal(null);
        var runner = SessionTrialRunner.ForOptions(request.Base);
        var tuner = new Tuner(runner, journal);
        var fixedRequest = request.LevelRequest(16) with { LearningRates = [0.32], Momenta = [0.6], Seeds = [1] };
        var fixedRun = tuner.Run(fixedRequest);
        var autoRun = tuner.Run(request.AutoLevelRequest(16, 0.6) with { LearningRates = [0.32], Seeds = [1] });
        Assert.Equal(0, autoRun.RunsReused);
        Assert.Equal(1, autoRun.RunsExecuted);
        Assert.NotEqual(fixedRun.Points[0].Trials[0].Key, autoRun.Points[0].Trials[0].Key);
        // Fixed 0.6 at g = 16 diverges at this rate; auto steers the explicit momentum to 0.6 - 15/16 and reaches the target.
        Assert.Equal(TrialResult.Diverged, fixedRun.Points[0].Status);
        Assert.Equal(TrialResult.Reached, autoRun.Points[0].Status);
    }

    [Fact]
    public void Auto_needs_the_synchronous_level_and_a_tune_with_auto_needs_its_target_as_the_only_momentum()
    {
        var ex = Assert.Throws<ArgumentException>(() => (QuickAround() with { Levels = [4, 16] }).Validate());
        Assert.Contains("include 1 in --levels", ex.Message);
        var bad = QuickAround().AutoLevelRequest(4, 0.6) with { Momenta = [0.3, 0.6] };
        ex = Assert.Throws<ArgumentException>(bad.Validate);
        Assert.Contains("momentum grid set to that target alone", ex.Message);
        var noTarget = QuickAround().AutoLevelRequest(4, 0.6) with { AutoMomentum = new AutoMomentumOptions() };
        Assert.Throws<ArgumentException>(noTarget.Validate);
    }

    [Fact]
    public void Cli_study_auto_without_level_1_exits_2()
    {
        var r = TestSupport.RunCli("study", "--quick", "--levels", "4,16", "--auto", "--out", TestSupport.TempDir("study-auto-cli"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--auto", r.Stderr);
    }
}
