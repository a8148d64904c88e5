using Polyak.Execution;
using Polyak.Reporting;
using Polyak.Tuning;

namespace Polyak.Tests.Tuning;

/// <summary><c>study --policies</c>: every staleness policy's grid at every level, alone and with momentum tuned, reported.</summary>
public sealed class PolicyComparisonTests
{
    private static StudyRequest Request(params string[] policies) => new()
    {
        Base = new TrainingOptions
        {
            Model = "linear", Data = "synthetic:regression,dim=8,n=1000,test=100,cond=20,noise=0.1", Backend = "simulated",
            Workers = 8, Batch = 8, TargetLoss = 0.05, EvalSize = 200, Seed = 1,
        },
        Levels = [1, 8],
        LearningRates = [0.05, 0.2],
        Momenta = [-0.3, 0, 0.5],
        Seeds = [1, 2, 3],
        Budget = 600,
        EvalEvery = 5,
        Policies = policies,
    };

    [Fact]
    public void EveryPolicyIsComparedAloneAndWithMomentumTunedAtEveryLevel()
    {
        var request = Request("lr-scale", "drop:4");
        var result = new Study(SessionTrialRunner.ForOptions(request.Base), new TuningJournal(null)).Run(request);
        Assert.Equal(["none", "lr-scale", "drop:4"], result.PolicyComparison.Select(r => r.Policy).Distinct());
        Assert.Equal(6, result.PolicyComparison.Count);
        foreach (var level in result.Levels)
        {
            // The plain policy's rows are the study's own analysis.
            var plain = result.PolicyComparison.Single(r => r.Policy == "none" && r.Groups == level.Groups);
            Assert.Equal(level.WithNegative.UpdatesToTarget, plain.MomentumTuned.UpdatesToTarget);
            Assert.Equal(level.WithNegative.Momentum, plain.MomentumTuned.Momentum);
        }
        foreach (var r in result.PolicyComparison)
        {
            Assert.Equal(0, r.MomentumZero.Momentum);
            // Tuning over a grid that contains mu = 0 is never worse than mu = 0 alone.
            if (r.MomentumZero.Reached) Assert.True(r.MomentumTuned.UpdatesToTarget <= r.MomentumZero.UpdatesToTarget);
            Assert.NotNull(r.TunedInterval);
        }
        Assert.Contains(result.Reading, l => l.StartsWith("Staleness policies at g = 8", StringComparison.Ordinal));
        Assert.Equal(2, result.Reading.Count(l => l.StartsWith("At g = 8: ", StringComparison.Ordinal)));
        // Each policy's runs are its own: their trial keys differ from the plain ones.
        string dir = TestSupport.TempDir("policy-report");
        StudyReport.Write(result, dir);
        var csv = File.ReadAllLines(Path.Combine(dir, "policy-comparison.csv"));
        Assert.Equal(7, csv.Length);
        Assert.Contains("Server-side staleness policies against momentum tuning", File.ReadAllText(Path.Combine(dir, "index.html")));
        Assert.True(new FileInfo(Path.Combine(dir, "policy-comparison.png")).Length > 10_000);
        Assert.Contains("policy-comparison.png", File.ReadAllText(Path.Combine(dir, "index.html")));
        Assert.Equal(3 * request.Levels.Sum(g => request.LevelRequest(g).PlannedRuns), request.PlannedRuns);
    }

    [Fact]
    public void BoundedStalenessIsChargedTheTimeItsWaitsCostInThePredictedTime()
    {
        // A 4x straggler: under ssp:0 (lockstep) every group waits for it, so an update costs more simulated time than
        // under the plain rule, and the predicted time must say so (it used to reuse the plain level's time per update).
        var request = Request("ssp:0") with { Base = Request().Base with { Simulation = new SimulationOptions { Slowdown = new() { [0] = 4 } } } };
        var result = new Study(SessionTrialRunner.ForOptions(request.Base), new TuningJournal(null)).Run(request);
        var plain = result.PolicyComparison.Single(r => r.Policy == "none" && r.Groups == 8);
        var ssp = result.PolicyComparison.Single(r => r.Policy == "ssp:0" && r.Groups == 8);
        Assert.True(ssp.TimePerUpdate > 1.2 * plain.TimePerUpdate, $"ssp:0 {ssp.TimePerUpdate} vs none {plain.TimePerUpdate} per update");
        Assert.Contains(result.Reading, l => l.StartsWith("Predicted time to target at g = 8", StringComparison.Ordinal) && l.Contains("ssp:0", StringComparison.Ordinal));
        // At g = 1 there is no other group to wait for: the same time per update.
        var one = result.PolicyComparison.Where(r => r.Groups == 1).Select(r => r.TimePerUpdate).Distinct().ToArray();
        Assert.Single(one);
    }

    [Fact]
    public void PoliciesNeedMomentumZeroInTheGridAndValidSpecs()
    {
        var noZero = Request("lr-scale") with { Momenta = [0.5, 0.9] };
        Assert.Contains("include 0 in --momenta", Assert.Throws<ArgumentException>(noZero.Validate).Message);
        Assert.Contains("--policies: 'bsp:2' is not a staleness policy", Assert.Throws<ArgumentException>(Request("bsp:2").Validate).Message);
        Request("ssp:2", "dc-a").Validate(); // both new policies are study dimensions
        Assert.Equal(["none", "dc:0.04"], Request("dc", "none", "dc:0.04").ResolvedPolicies);
    }
}

/// <summary>Review fixes: interval edge cases, trial keys, journal lines, progress counting, scratch limits.</summary>
public sealed class ReviewFixTests
{
    [Fact]
    public void AnIntervalOfOneValueIsStillAnIntervalUnlessEveryReplicateAgrees()
    {
        var mostly = BootstrapInterval.Of(Enumerable.Repeat(1.0, 990).Concat(Enumerable.Repeat(2.0, 10)))!;
        Assert.Equal(1, mostly.Lower);
        Assert.Equal(1, mostly.Upper);
        Assert.False(mostly.Degenerate); // 1 % of the replicates differ: a real [1, 1]
        Assert.True(BootstrapInterval.Of(Enumerable.Repeat(3.0, 100))!.Degenerate);
        // Nearly every replicate censored: no finite lower end, no interval (before: [inf, >= x]).
        Assert.Null(BootstrapInterval.Of(Enumerable.Repeat(double.PositiveInfinity, 990).Append(5.0)));
    }

    [Fact]
    public void TrialKeysIgnoreResourceLimitsAndUnsetNewOptions()
    {
        var o = new TrainingOptions { Model = "softmax", LearningRate = 0.1 };
        Assert.Equal(TrialKey.For(o, 1), TrialKey.For(o with { MaxMemoryBytes = 1L << 30 }, 1));
        Assert.NotEqual(TrialKey.For(o, 1), TrialKey.For(o with { StalenessPolicy = "lr-scale" }, 1));
        Assert.NotEqual(TrialKey.For(o, 1), TrialKey.For(o with { TargetAccuracy = 0.9 }, 1));
        // The canonical JSON has no field for an unset later option (journals written before it keep their keys).
        var json = System.Text.Json.JsonSerializer.Serialize(o, Json.Compact);
        Assert.Contains("\"staleness_policy\":null", json);
    }

    [Fact]
    public void AReachedLineWithoutUpdatesIsReportedNotCrashed()
    {
        string dir = TestSupport.TempDir("journal-reached");
        string path = Path.Combine(dir, "tune.jsonl");
        File.WriteAllText(path, "{\"key\":\"k1\",\"workers\":1,\"groups\":1,\"learning_rate\":0.1,\"momentum\":0,\"seed\":1,\"budget\":10,\"status\":\"reached\"}\n");
        var journal = new TuningJournal(path);
        Assert.Equal("line 1: status reached without updates_to_target", Assert.Single(journal.Problems));
        Assert.Equal(0, journal.Count);
    }

    [Fact]
    public void PoliciesRefuseABaseStalenessPolicyAndHogwildOnes()
    {
        var request = new StudyRequest
        {
            Base = new TrainingOptions { Workers = 4, TargetLoss = 0.1, StalenessPolicy = "lr-scale" }, Levels = [1, 4], LearningRates = [0.1],
            Momenta = [0, 0.5], Budget = 100, Policies = ["dc"],
        };
        Assert.Contains("drop --staleness-policy lr-scale", Assert.Throws<ArgumentException>(request.Validate).Message);
        var hogwild = request with { Base = request.Base with { StalenessPolicy = null, Discipline = UpdateDiscipline.Hogwild } };
        Assert.Contains("needs the atomic discipline", Assert.Throws<ArgumentException>(hogwild.Validate).Message);
    }

    [Fact]
    public void AConvolutionWhoseColumnMatrixCannotExistIsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Polyak.Models.Layers.Network("n", "conv64k5-fc10", [64, 1414, 1414], 10));
        Assert.Contains("column matrix of one sample", ex.Message);
    }

    [Fact]
    public void ProgressCountsEachRunOnce()
    {
        var progress = new Polyak.Cli.TrialProgress(3, exact: false);
        var t = new TrialResult { Key = "a", Workers = 1, Groups = 1, LearningRate = 0.1, Momentum = 0, Seed = 1, Budget = 10, Status = TrialResult.Censored };
        progress.Report(t, reused: false);
        progress.Report(t, reused: true); // the next round of --extend-edges reuses it
        Assert.Equal(1, progress.Done);
    }
}
