using System.Globalization;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Optimization;

namespace Polyak.Tuning;

/// <summary>
/// The default target of closed-loop momentum (<c>--momentum auto</c> without a value): the best explicit momentum of a
/// short synchronous tune (the run's configuration with one compute group, a momentum grid inside the controller's
/// bounds), scored by updates to the target loss, or by the loss at the end of the budget. The tune also searches the
/// learning rate (<see cref="LearningRateFactors"/> times the run's): the target is the momentum the synchronous problem
/// wants at its own best rate. At the run's rate alone it finds the momentum that keeps <c>alpha / (1 - mu)</c> at the
/// synchronous optimum's, which at a rate tuned for asynchrony is far too high (0.8 instead of 0.6 on the quick problem
/// at g = 16, and the run diverged). Of the points within <see cref="NearTie"/> of the best, the lowest momentum is the
/// target.
/// </summary>
public static class SynchronousMomentumTarget
{
    /// <summary>The momentum grid of the short tune (clipped to the controller's bounds).</summary>
    public static readonly IReadOnlyList<double> Grid = [-0.3, 0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95];

    /// <summary>A point whose updates to target are at most this factor times the best's counts as tied with it.</summary>
    public const double NearTie = 1.1;

    /// <summary>The learning rates of the short tune, as factors of the run's.</summary>
    public static readonly IReadOnlyList<double> LearningRateFactors = [0.25, 0.5, 1, 2, 4];

    /// <summary>Smallest tuning budget, in updates, that gives a measurable score.</summary>
    public const long MinimumBudget = 40;

    /// <summary>Tunes momentum synchronously for <paramref name="budget"/> updates; returns the best momentum and the tune.</summary>
    public static (double Target, TuningResult Tune) Find(TrainingOptions options, DataSplit data, double learningRate, long budget, Action<string>? log = null)
        => Find(options, new SessionTrialRunner(data, options.DataSeed ?? options.Seed), learningRate, budget, log);

    /// <summary>Tunes momentum synchronously with <paramref name="runner"/> (e.g. one holding a user's own model).</summary>
    public static (double Target, TuningResult Tune) Find(TrainingOptions options, ITrialRunner runner, double learningRate, long budget, Action<string>? log = null)
    {
        var auto = options.AutoMomentum ?? new AutoMomentumOptions();
        if (budget < MinimumBudget)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--momentum auto: the budget of the synchronous tune that finds the target is {budget} update(s), too small to measure (needs >= {MinimumBudget}); run longer or give the target (auto:TARGET)"));
        var grid = Grid.Where(m => m >= auto.Min && m <= auto.Max).ToArray();
        if (grid.Length == 0) grid = [Math.Clamp(0, auto.Min, auto.Max)];
        var request = new TuningRequest
        {
            Base = options with { Groups = 1, AutoMomentum = null, Momentum = 0, CheckpointEvery = 0, OutDir = null },
            LearningRates = LearningRateFactors.Select(f => f * learningRate).ToArray(),
            Momenta = grid,
            Budget = budget,
            // The run's own evaluation period: at budget / 20 (37 updates on the quick problem) every good point reached
            // the target at the first evaluation, so they all tied and the tie-break chose the target.
            EvalEvery = options.EvalEvery is int every and > 0 ? (int)Math.Min(every, budget) : (int)Math.Max(1, budget / 100),
        };
        var tuner = new Tuner(runner, new TuningJournal(null));
        var result = tuner.Run(request);
        // Synchronously, the (lr, mu) pairs along one line alpha / (1 - mu) are about equally good; asynchrony adds
        // momentum, so of the points within NearTie of the best the target is the lowest momentum (too much total
        // momentum oscillates or diverges; too little is only slower).
        var best = result.Best;
        if (best is { Status: TrialResult.Reached })
            best = result.Points.Where(p => p.Status == TrialResult.Reached && p.Score <= NearTie * best.Score)
                .OrderBy(p => p.Momentum).ThenBy(p => p, Comparer<TuningPoint>.Create(TrialRanking.Compare)).First();
        if (best is null || best.IsDiverged || best.Status is TrialResult.Diverged or TrialResult.Failed or TrialResult.Pruned)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"--momentum auto: every point of the synchronous tune diverged (lr {learningRate} x {string.Join(", ", LearningRateFactors)}); lower --lr or give the target (auto:TARGET)"));
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"auto momentum: target {best.Momentum} from a synchronous tune (the lowest momentum within {NearTie:G2}x of the best score, at lr {best.LearningRate:G4}, score {best.ScoreText}; {result.RunsExecuted} runs of at most {budget} updates, {result.CostUpdates} updates in all)"));
        return (best.Momentum, result);
    }
}
