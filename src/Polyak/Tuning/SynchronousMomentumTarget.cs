using System.Globalization;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Optimization;

namespace Polyak.Tuning;

/// <summary>
/// The default target of closed-loop momentum (<c>--momentum auto</c> without a value): the best explicit momentum of a
/// short synchronous tune (the run's configuration with one compute group, its learning rate, a momentum grid inside
/// the controller's bounds), scored by updates to the target loss, or by the loss at the end of the budget.
/// </summary>
public static class SynchronousMomentumTarget
{
    /// <summary>The momentum grid of the short tune (clipped to the controller's bounds).</summary>
    public static readonly IReadOnlyList<double> Grid = [-0.3, 0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95];

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
            LearningRates = [learningRate],
            Momenta = grid,
            Budget = budget,
            EvalEvery = (int)Math.Max(1, budget / 20),
        };
        var tuner = new Tuner(runner, new TuningJournal(null));
        var result = tuner.Run(request);
        var best = result.Best;
        if (best is null || best.IsDiverged || best.Status is TrialResult.Diverged or TrialResult.Failed or TrialResult.Pruned)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"--momentum auto: every momentum of the synchronous tune diverged at lr {learningRate}; lower --lr or give the target (auto:TARGET)"));
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"auto momentum: target {best.Momentum} from a synchronous tune ({result.RunsExecuted} runs of {budget} updates, score {best.ScoreText})"));
        return (best.Momentum, result);
    }
}
