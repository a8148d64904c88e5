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
        Assert.Equal(3 * request.Levels.Sum(g => request.LevelRequest(g).PlannedRuns), request.PlannedRuns);
    }

    [Fact]
    public void PoliciesNeedMomentumZeroInTheGridAndValidSpecs()
    {
        var noZero = Request("lr-scale") with { Momenta = [0.5, 0.9] };
        Assert.Contains("include 0 in --momenta", Assert.Throws<ArgumentException>(noZero.Validate).Message);
        Assert.Contains("--policies: 'ssp:2' is not a staleness policy", Assert.Throws<ArgumentException>(Request("ssp:2").Validate).Message);
        Assert.Equal(["none", "dc:0.04"], Request("dc", "none", "dc:0.04").ResolvedPolicies);
    }
}
