using System.Text.Json;
using Polyak.Cli;
using Polyak.Execution;
using Polyak.Reporting;
using Polyak.Tuning;
using Xunit;
using Xunit.Abstractions;

namespace Polyak.Tests.Tuning;

/// <summary>Tests of the momentum study: the quick preset's must-show result, the report folder, the --json summary.</summary>
public class StudyTests(ITestOutputHelper output)
{
    [Fact]
    public void QuickPresetShowsAsynchronyBegetsMomentum()
    {
        var request = StudyPresets.Quick("simulated");
        var runner = SessionTrialRunner.ForOptions(request.Base);
        var result = new Study(runner, new TuningJournal(null)).Run(request);
        foreach (var l in result.Levels)
            output.WriteLine($"g={l.Groups}: lr {l.BestLr} mu {l.BestMomentum} updates {l.UpdatesToTarget} penalties 0.9:{l.PenaltyFixed09:F2} nonneg:{l.PenaltyNonneg:F2} neg:{l.PenaltyWithNegative:F2}");

        Assert.Equal([1, 2, 4, 8, 16], result.Levels.Select(l => l.Groups));
        Assert.All(result.Levels, l => Assert.Equal(TrialResult.Reached, l.Status));
        // (a) best explicit momentum non-increasing in asynchrony, <= 0 at the most asynchronous level.
        for (int i = 1; i < result.Levels.Count; i++)
            Assert.True(result.Levels[i].BestMomentum <= result.Levels[i - 1].BestMomentum,
                $"best momentum rises from g={result.Levels[i - 1].Groups} ({result.Levels[i - 1].BestMomentum}) to g={result.Levels[i].Groups} ({result.Levels[i].BestMomentum})");
        Assert.True(result.Monotone);
        Assert.True(result.Levels[^1].BestMomentum <= 0);
        // (b, c) tuned penalties never exceed the fixed-0.9 penalty; negative values never hurt.
        foreach (var l in result.Levels)
        {
            Assert.True(double.IsFinite(l.PenaltyFixed09), $"g={l.Groups}: mu = 0.9 never converged");
            Assert.True(l.Fixed09.Reached && l.Nonneg.Reached && l.WithNegative.Reached, $"g={l.Groups}: a policy did not reach the target");
            Assert.True(l.PenaltyNonneg <= l.PenaltyFixed09, $"g={l.Groups}: nonneg {l.PenaltyNonneg} > fixed {l.PenaltyFixed09}");
            Assert.True(l.PenaltyWithNegative <= l.PenaltyNonneg, $"g={l.Groups}: with negative {l.PenaltyWithNegative} > nonneg {l.PenaltyNonneg}");
        }
        Assert.Equal(1.0, result.Levels[0].PenaltyWithNegative);
        Assert.True(result.Levels[^1].PenaltyFixed09 > 1.5 * result.Levels[^1].PenaltyWithNegative);
        // A best point on the grid's edge is flagged in the reading (g = 16 picks the lowest momentum of the grid).
        Assert.Equal(result.Momenta.Min(), result.Levels[^1].BestMomentum);
        Assert.Contains(result.Reading, line => line.StartsWith("Best points on the edge of the grid", StringComparison.Ordinal)
            && line.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"g=16 any mu: mu {result.Levels[^1].BestMomentum:0.##} is the lowest momentum"), StringComparison.Ordinal));

        // The report folder: tables, figures (PNG + SVG), page.
        string dir = Path.Combine(Path.GetTempPath(), "polyak-study-" + Guid.NewGuid().ToString("N"));
        try
        {
            string index = StudyReport.Write(result, dir);
            Assert.True(File.Exists(index));
            foreach (string f in new[] { "study.json", "levels.csv", "policies.csv", "grid.csv", "curves.csv" })
                Assert.True(new FileInfo(Path.Combine(dir, f)).Length > 0, f);
            foreach (string fig in new[] { "momentum", "penalty", "curves", "heatmap-g1", "heatmap-g16" })
            {
                Assert.True(new FileInfo(Path.Combine(dir, fig + ".png")).Length > 1000, fig + ".png");
                Assert.Contains("<svg", File.ReadAllText(Path.Combine(dir, fig + ".svg")));
            }
            string html = File.ReadAllText(index);
            Assert.Contains("non-increasing", html);
            // The pruning caption states the rule the tuner applies (before: "smaller-or-equal mu", which it never did).
            Assert.Contains("the same momentum diverged at a smaller learning rate", html);
            Assert.Contains("heatmap-g16.png", html);
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "study.json")));
            Assert.Equal(5, doc.RootElement.GetProperty("levels").GetArrayLength());
            Assert.True(doc.RootElement.GetProperty("levels")[4].TryGetProperty("penalty_with_negative", out _));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void JsonSummaryHasTheContractFields()
    {
        var request = new StudyRequest
        {
            Base = new TrainingOptions
            {
                Model = "linear", Data = "synthetic:regression,dim=5,n=500,test=50,cond=10", Backend = "simulated",
                Workers = 4, Batch = 8, TargetLoss = 0.05, EvalSize = 100, Seed = 1,
            },
            Levels = [1, 4],
            LearningRates = [0.05, 0.2],
            Momenta = [-0.3, 0.3],
            Budget = 400,
            EvalEvery = 5,
        };
        var result = new Study(SessionTrialRunner.ForOptions(request.Base), new TuningJournal(null)).Run(request);
        Assert.Equal([-0.3, 0.3, 0.9], result.Momenta); // 0.9 added for the fixed-0.9 policy
        string line = JsonSerializer.Serialize(StudySummary.Of(result, "/x/index.html"), Json.Compact);
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("/x/index.html", doc.RootElement.GetProperty("report").GetString());
        var levels = doc.RootElement.GetProperty("levels");
        Assert.Equal(2, levels.GetArrayLength());
        foreach (string field in new[] { "groups", "best_lr", "best_momentum", "updates_to_target", "penalty_fixed09", "penalty_nonneg", "penalty_with_negative" })
            Assert.True(levels[1].TryGetProperty(field, out _), field);
        Assert.Equal(4, levels[1].GetProperty("groups").GetInt32());
    }

    [Fact]
    public void LevelsMustDivideTheWorkers()
    {
        var request = StudyPresets.Quick("simulated") with { Levels = [1, 3] };
        var ex = Assert.Throws<ArgumentException>(request.Validate);
        Assert.Contains("--levels", ex.Message);
        Assert.Contains("3", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => (StudyPresets.Quick("simulated") with { Base = StudyPresets.Quick().Base with { TargetLoss = null } }).Validate());
        Assert.Contains("--target-loss", ex.Message);
    }
}
