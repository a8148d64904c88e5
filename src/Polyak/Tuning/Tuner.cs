using System.Globalization;
using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>
/// Grid search of learning rate x explicit momentum for one run configuration, scored by updates to the target
/// evaluation loss (statistical efficiency). Learning rates are run in ascending waves; after each wave a
/// grid point whose every seed diverged prunes the points with a larger learning rate and the same momentum (they
/// would diverge too: at a fixed momentum a larger step is less stable). It does not prune across momenta: divergence
/// is not monotone in the momentum (synchronous heavy ball on a quadratic is stable for alpha lambda &lt; 2 (1 + mu), so a
/// larger momentum tolerates a larger rate; asynchrony moves that boundary). Runs inside a wave execute in parallel; each run is independent and
/// seeded, and the waves and pruning depend only on results, so the outcome never depends on finishing order.
/// Every finished run is appended to the <see cref="TuningJournal"/>; runs already in it are reused, so an
/// interrupted tune resumes where it stopped. Optional successive halving runs every point on a fraction of
/// the budget, keeps the best half, doubles the budget and repeats (runs that already reached the target keep
/// their result: with a fixed evaluation period a run is a prefix of the same run with a larger budget).
/// </summary>
public sealed class Tuner
{
    private readonly ITrialRunner _runner;
    private readonly TuningJournal _journal;

    /// <summary>Creates a tuner running runs with <paramref name="runner"/> and recording them in <paramref name="journal"/>.</summary>
    public Tuner(ITrialRunner runner, TuningJournal journal)
    {
        _runner = runner;
        _journal = journal;
    }

    /// <summary>
    /// Called after each run finishes, is reused from the journal (second argument true) or is pruned (status
    /// <see cref="TrialResult.Pruned"/>, not trained). May be called concurrently.
    /// </summary>
    public Action<TrialResult, bool>? TrialFinished { get; init; }

    /// <summary>Informational messages.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// Tunes <paramref name="request"/>. Throws <see cref="OperationCanceledException"/> when cancelled: runs that
    /// finished are in the journal, runs in flight are discarded and redone on resume.
    /// </summary>
    public TuningResult Run(TuningRequest request, CancellationToken cancel = default)
    {
        request.Validate();
        double[] lrs = request.LearningRates.Distinct().Order().ToArray();
        double[] mus = request.Momenta.Distinct().Order().ToArray();
        ulong[] seeds = request.Seeds.ToArray();
        int evalEvery = request.ResolvedEvalEvery;
        int rungs = request.Halving ? request.HalvingRungs : 1;
        var options = request.Base with
        {
            Groups = request.Base.Groups ?? request.Base.Workers,
            Epochs = null,
            TimeSeconds = null,
            EvalEvery = evalEvery,
            OutDir = null,
            AutoMomentum = request.AutoMomentum,
            // Trials compare (lr, mu) under a fixed rate unless a schedule is given (no recipe cosine over a trial's budget).
            Schedule = request.Base.Schedule ?? "constant",
        };

        // State per (lr index, mu index): the latest runs (one per seed) and whether halving stopped the point.
        var latest = new TrialResult[lrs.Length, mus.Length][];
        var stopped = new bool[lrs.Length, mus.Length];
        var active = new bool[lrs.Length, mus.Length];
        for (int i = 0; i < lrs.Length; i++)
            for (int j = 0; j < mus.Length; j++) active[i, j] = true;
        var divergedOrigins = new List<(int Lr, int Mu)>();
        int executed = 0, reused = 0, pruned = 0;
        double costSeconds = 0;
        long costUpdates = 0;
        object costLock = new();

        for (int rung = 0; rung < rungs; rung++)
        {
            long budget = Math.Max(1, request.Budget >> (rungs - 1 - rung));
            if (request.Halving) Log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"halving rung {rung + 1}/{rungs}: budget {budget} updates, {CountActive(active)} point(s)"));
            for (int i = 0; i < lrs.Length; i++)
            {
                var wave = new List<(int Mu, int SeedIndex, TrainingOptions Options, string Key)>();
                for (int j = 0; j < mus.Length; j++)
                {
                    if (!active[i, j]) continue;
                    var match = divergedOrigins.FindIndex(d => d.Lr < i && d.Mu == j);
                    (int Lr, int Mu) origin = match >= 0 ? divergedOrigins[match] : (-1, -1);
                    latest[i, j] ??= new TrialResult[seeds.Length];
                    for (int s = 0; s < seeds.Length; s++)
                    {
                        var o = options with { LearningRate = lrs[i], Momentum = mus[j], Seed = seeds[s], Updates = budget };
                        string key = TrialKey.For(o, _runner.DataSeed);
                        if (origin.Lr >= 0)
                        {
                            latest[i, j][s] = TrialResult.MakePruned(key, o, budget, string.Create(CultureInfo.InvariantCulture,
                                $"lr {lrs[origin.Lr]} with momentum {mus[origin.Mu]} diverged")) with { DataSeed = _runner.DataSeed };
                            pruned++;
                            TrialFinished?.Invoke(latest[i, j][s], false);
                            continue;
                        }
                        // A run that reached the target at a smaller budget has the same result now.
                        if (latest[i, j][s] is { Status: TrialResult.Reached }) continue;
                        wave.Add((j, s, o, key));
                    }
                    if (origin.Lr >= 0) active[i, j] = false;
                }

                var results = new TrialResult[wave.Count];
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = request.ResolvedParallelism, CancellationToken = cancel };
                Parallel.For(0, wave.Count, parallel, k =>
                {
                    var (_, _, o, key) = wave[k];
                    if (_journal.TryGet(key, out var done))
                    {
                        results[k] = done;
                        Interlocked.Increment(ref reused);
                        TrialFinished?.Invoke(done, true);
                        return;
                    }
                    cancel.ThrowIfCancellationRequested();
                    var run = _runner.Run(o, cancel);
                    var result = TrialResult.FromRun(key, o, o.Updates!.Value, run);
                    if (result is null)
                    {
                        cancel.ThrowIfCancellationRequested();
                        throw new InvalidOperationException($"tuning run lr {o.LearningRate} momentum {o.Momentum} seed {o.Seed} was interrupted");
                    }
                    result = result with { DataSeed = _runner.DataSeed };
                    results[k] = result;
                    _journal.Append(result);
                    lock (costLock)
                    {
                        executed++;
                        costSeconds += result.WallSeconds;
                        costUpdates += result.Updates;
                    }
                    TrialFinished?.Invoke(result, false);
                });
                for (int k = 0; k < wave.Count; k++)
                    latest[i, wave[k].Mu][wave[k].SeedIndex] = results[k];

                for (int j = 0; j < mus.Length; j++)
                {
                    if (!active[i, j] || latest[i, j] is null) continue;
                    if (latest[i, j].All(t => t.Status is TrialResult.Diverged or TrialResult.Failed))
                    {
                        divergedOrigins.Add((i, j));
                        active[i, j] = false;
                    }
                }
            }

            if (rung < rungs - 1)
            {
                // Keep the best half of the points still in the race; the rest stop here.
                var contenders = new List<(int I, int J, TuningPoint P)>();
                for (int i = 0; i < lrs.Length; i++)
                    for (int j = 0; j < mus.Length; j++)
                        if (active[i, j]) contenders.Add((i, j, new TuningPoint(lrs[i], mus[j], latest[i, j], false)));
                contenders.Sort((a, b) => TrialRanking.Compare(a.P, b.P));
                int keep = (contenders.Count + 1) / 2;
                var protectedPoints = new HashSet<int>();
                foreach (var policy in request.HalvingPolicies)
                {
                    // The best point of every protected policy goes on, so that policy's score is a full-budget one.
                    int k = contenders.FindIndex(c => policy(c.P.Momentum));
                    if (k >= keep) protectedPoints.Add(k);
                }
                for (int k = keep; k < contenders.Count; k++)
                {
                    if (protectedPoints.Contains(k)) continue;
                    active[contenders[k].I, contenders[k].J] = false;
                    stopped[contenders[k].I, contenders[k].J] = true;
                }
            }
        }

        var points = new List<TuningPoint>();
        for (int i = 0; i < lrs.Length; i++)
            for (int j = 0; j < mus.Length; j++)
                if (latest[i, j] is { } trials && trials.All(t => t is not null))
                    points.Add(new TuningPoint(lrs[i], mus[j], trials, stopped[i, j] && !trials.Any(t => t.Status == TrialResult.Reached)));
        return new TuningResult
        {
            Request = request,
            Points = points,
            RunsExecuted = executed,
            RunsReused = reused,
            RunsPruned = pruned,
            CostSeconds = costSeconds,
            CostUpdates = costUpdates,
        };
    }

    private static int CountActive(bool[,] active)
    {
        int n = 0;
        foreach (bool a in active) if (a) n++;
        return n;
    }
}
