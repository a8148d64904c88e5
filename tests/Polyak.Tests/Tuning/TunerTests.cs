using System.Text.Json;
using Polyak.Execution;
using Polyak.Tuning;
using Xunit;

namespace Polyak.Tests.Tuning;

/// <summary>Tests of the grid tuner: criterion, pruning, seeds, halving, resumption.</summary>
public class TunerTests
{
    private static readonly TrainingOptions Base = new()
    {
        Model = "linear",
        Data = "synthetic:regression,dim=10,n=1000,test=100,cond=20,noise=0.1",
        Backend = "threads",
        Workers = 1,
        Groups = 1,
        Batch = 16,
        TargetLoss = 0.03,
        EvalSize = 200,
        Seed = 1,
    };

    private static readonly Lazy<SessionTrialRunner> Runner = new(() => SessionTrialRunner.ForOptions(Base));

    private static TuningRequest Request(bool halving = false, int seeds = 1) => new()
    {
        Base = Base,
        LearningRates = [0.02, 0.08, 0.32, 1.5, 3.0],
        Momenta = [-0.3, 0, 0.6, 0.9],
        Seeds = TuningRequest.SeedRange(1, seeds),
        Budget = 800,
        EvalEvery = 10,
        Halving = halving,
        Parallelism = 2,
    };

    /// <summary>The deterministic part of a run (wall times excluded).</summary>
    private static string Fingerprint(TrialResult t) => JsonSerializer.Serialize(new
    {
        t.Key, t.Status, t.UpdatesToTarget, t.Updates, t.FinalLoss, t.LearningRate, t.Momentum, t.Seed, t.Budget, t.CurveLoss,
    }, Json.Compact);

    [Fact]
    public void GridRanksByUpdatesToTargetAndPrunesAboveDivergence()
    {
        var result = new Tuner(Runner.Value, new TuningJournal(null)).Run(Request());
        Assert.Equal(20, result.Points.Count);
        var best = result.Best!;
        Assert.Equal(TrialResult.Reached, best.Status);
        foreach (var p in result.Points.Where(p => p.Status == TrialResult.Reached))
            Assert.True(p.Score >= best.Score);
        // Something diverges at lr 1.5 or 3.0, and every larger rate at the same momentum is pruned, never run; other
        // momenta are not pruned by it (divergence is not monotone in the momentum).
        var diverged = result.Points.Where(p => p.Status == TrialResult.Diverged).ToList();
        Assert.NotEmpty(diverged);
        foreach (var d in diverged)
            foreach (var p in result.Points.Where(p => p.LearningRate > d.LearningRate && p.Momentum == d.Momentum))
                Assert.Equal(TrialResult.Pruned, p.Status);
        foreach (var p in result.Points.Where(p => p.Status == TrialResult.Pruned))
            Assert.Contains(diverged, d => d.Momentum == p.Momentum && d.LearningRate < p.LearningRate);
        Assert.True(result.RunsPruned > 0);
        Assert.Equal(20 - result.RunsPruned, result.RunsExecuted);
    }

    [Fact]
    public void ACorruptLineInTheMiddleOfTheJournalIsReportedWithItsLineNumberAndItsRunRedone()
    {
        string dir = TestSupport.TempDir("tune-corrupt");
        string path = Path.Combine(dir, "tune.jsonl");
        var reference = new Tuner(Runner.Value, new TuningJournal(path)).Run(Request(seeds: 1));
        var lines = File.ReadAllLines(path);
        Assert.True(lines.Length >= 5);
        // Before: a corrupt line was skipped without a word. Line 3 garbled, line 4 valid JSON without a key, line 5 a bad status.
        lines[2] = lines[2][..(lines[2].Length / 2)];
        lines[3] = "{\"status\":\"reached\"}";
        lines[4] = lines[4].Replace("\"status\":\"", "\"status\":\"x", StringComparison.Ordinal);
        File.WriteAllLines(path, lines);

        var journal = new TuningJournal(path);
        Assert.Equal(3, journal.IgnoredLines);
        Assert.StartsWith("line 3: not JSON", journal.Problems[0]);
        Assert.Equal("line 4: not a finished run (no key)", journal.Problems[1]);
        Assert.StartsWith("line 5: unknown status 'x", journal.Problems[2]);
        var resumed = new Tuner(Runner.Value, journal).Run(Request(seeds: 1));
        Assert.Equal(3, resumed.RunsExecuted); // exactly the three unreadable runs are redone
        Assert.Equal(reference.Trials.Select(Fingerprint), resumed.Trials.Select(Fingerprint));
    }

    [Fact]
    public void PlannedRunsCountEveryPointAndSeedAndBoundHalving()
    {
        var plain = Request(seeds: 2);
        int points = plain.LearningRates.Distinct().Count() * plain.Momenta.Distinct().Count();
        Assert.Equal(points * 2, plain.PlannedRuns);
        Assert.True(plain.PlannedRunsExact);
        var halving = plain with { Halving = true, HalvingRungs = 3 };
        Assert.False(halving.PlannedRunsExact);
        // rung 1: every point; then half of those (rounded up) each rung
        int second = (points + 1) / 2, third = (second + 1) / 2;
        Assert.Equal((points + Math.Min(points, second) + Math.Min(points, third)) * 2, halving.PlannedRuns);
    }

    [Fact]
    public void InterruptedTuneResumesWithIdenticalResults()
    {
        string dir = Path.Combine(Path.GetTempPath(), "polyak-tune-resume-" + Guid.NewGuid().ToString("N"));
        try
        {
            var reference = new Tuner(Runner.Value, new TuningJournal(null)).Run(Request(seeds: 2));

            string path = Path.Combine(dir, "tune.jsonl");
            using var cts = new CancellationTokenSource();
            int finished = 0;
            var first = new Tuner(Runner.Value, new TuningJournal(path))
            {
                TrialFinished = (_, _) => { if (Interlocked.Increment(ref finished) == 7) cts.Cancel(); },
            };
            Assert.ThrowsAny<OperationCanceledException>(() => first.Run(Request(seeds: 2), cts.Token));
            int journaled = File.ReadAllLines(path).Length;
            Assert.InRange(journaled, 7, reference.RunsExecuted - 1);
            // A torn last line (crash mid-write) is ignored and that run redone.
            File.AppendAllText(path, "{\"key\":\"trunc");

            var resumedJournal = new TuningJournal(path);
            Assert.Equal(1, resumedJournal.IgnoredLines);
            var resumed = new Tuner(Runner.Value, resumedJournal).Run(Request(seeds: 2));
            Assert.True(journaled == resumed.RunsReused, $"journaled {journaled}, reused {resumed.RunsReused}, executed {resumed.RunsExecuted}, reference {reference.RunsExecuted}");
            Assert.Equal(reference.RunsExecuted, resumed.RunsExecuted + resumed.RunsReused);
            Assert.Equal(reference.Trials.Select(Fingerprint), resumed.Trials.Select(Fingerprint));

            // A third run repeats nothing.
            var again = new Tuner(Runner.Value, new TuningJournal(path)).Run(Request(seeds: 2));
            Assert.Equal(0, again.RunsExecuted);
            Assert.Equal(reference.Trials.Select(Fingerprint), again.Trials.Select(Fingerprint));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ResultsDoNotDependOnParallelism()
    {
        var serial = new Tuner(Runner.Value, new TuningJournal(null)).Run(Request(seeds: 2) with { Parallelism = 1 });
        var parallel = new Tuner(Runner.Value, new TuningJournal(null)).Run(Request(seeds: 2) with { Parallelism = 4 });
        Assert.Equal(serial.Trials.Select(Fingerprint), parallel.Trials.Select(Fingerprint));
        Assert.Equal(serial.RunsPruned, parallel.RunsPruned);
    }

    [Fact]
    public void TuneJsonSummaryNamesBestAndCosts()
    {
        var result = new Tuner(Runner.Value, new TuningJournal(null)).Run(Request());
        string line = JsonSerializer.Serialize(Polyak.Cli.TuneSummary.Of(result, "/x"), Json.Compact);
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        Assert.Equal(result.Best!.LearningRate, root.GetProperty("best_lr").GetDouble());
        Assert.Equal(result.Best.Momentum, root.GetProperty("best_momentum").GetDouble());
        Assert.Equal(result.Best.Score, root.GetProperty("updates_to_target").GetDouble());
        Assert.Equal(20, root.GetProperty("points").GetArrayLength());
        Assert.Equal(result.RunsPruned, root.GetProperty("runs_pruned").GetInt32());
    }

    [Fact]
    public void SeedsGiveMedianAndSpread()
    {
        var result = new Tuner(Runner.Value, new TuningJournal(null)).Run(Request(seeds: 3));
        var p = result.Best!;
        Assert.Equal(3, p.Trials.Count);
        Assert.Equal(3, p.ReachedCount);
        Assert.Equal(3, p.Trials.Select(t => t.Seed).Distinct().Count());
        // The spread and the median are the three runs' own updates to target, sorted.
        var u = p.Trials.Select(t => (double)t.UpdatesToTarget!.Value).Order().ToArray();
        Assert.Equal(u[0], p.MinUpdates);
        Assert.Equal(u[1], p.MedianUpdates);
        Assert.Equal(u[2], p.MaxUpdates);
        Assert.Equal(u[1], p.Score);
    }

    [Fact]
    public void HalvingCostsLessAndKeepsTheBestPoint()
    {
        var full = new Tuner(Runner.Value, new TuningJournal(null)).Run(Request());
        var halved = new Tuner(Runner.Value, new TuningJournal(null)).Run(Request(halving: true));
        Assert.True(halved.CostUpdates < full.CostUpdates, $"halving cost {halved.CostUpdates} updates, full grid {full.CostUpdates}");
        Assert.Equal(full.Best!.LearningRate, halved.Best!.LearningRate);
        Assert.Equal(full.Best.Momentum, halved.Best.Momentum);
        Assert.Equal(full.Best.Score, halved.Best.Score);
    }

    [Fact]
    public void HalvingKeepsTheBestPointOfEveryProtectedPolicy()
    {
        var request = Request(halving: true) with { HalvingPolicies = [StudyRequest.IsFixed09] };
        var result = new Tuner(Runner.Value, new TuningJournal(null)).Run(request);
        var best09 = result.BestWhere(p => p.Momentum == 0.9)!;
        Assert.False(best09.StoppedEarly);
        Assert.Equal(request.Budget, best09.Median.Status == TrialResult.Reached ? request.Budget : best09.Median.Budget);
    }

    [Fact]
    public void BadRequestsNameTheProblem()
    {
        var ex = Assert.Throws<ArgumentException>(() => (Request() with { Momenta = [0.5, 1.2] }).Validate());
        Assert.Contains("--momenta", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => (Request() with { LearningRates = [-1] }).Validate());
        Assert.Contains("--lrs", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => TuningRequest.LogGrid(0.1, 0, 2));
        Assert.Contains("grid size", ex.Message);
    }

    [Fact]
    public void LogGridIsCentredAndRounded()
    {
        Assert.Equal([0.025, 0.05, 0.1, 0.2, 0.4], TuningRequest.LogGrid(0.1, 5, 2));
    }
}
