namespace Polyak.Tuning;

/// <summary>
/// One (learning rate, momentum) point of the grid with its runs (one per seed): the median run, the median and
/// spread of updates to target, and whether successive halving stopped it early.
/// </summary>
public sealed record TuningPoint
{
    /// <summary>Creates a point from its runs (any order).</summary>
    public TuningPoint(double learningRate, double momentum, IReadOnlyList<TrialResult> trials, bool stoppedEarly)
    {
        if (trials.Count == 0) throw new ArgumentException("a tuning point needs at least one run");
        LearningRate = learningRate;
        Momentum = momentum;
        Trials = trials.OrderBy(t => t.Seed).ToArray();
        StoppedEarly = stoppedEarly;
        var sorted = trials.ToList();
        sorted.Sort(TrialRanking.Compare);
        Median = sorted[sorted.Count / 2];
        var reached = sorted.Where(t => t.Status == TrialResult.Reached).Select(t => (double)t.UpdatesToTarget!.Value).ToArray();
        ReachedCount = reached.Length;
        MinUpdates = reached.Length > 0 ? reached.Min() : null;
        MaxUpdates = reached.Length > 0 ? reached.Max() : null;
        if (Median.Status == TrialResult.Reached)
        {
            // Even count with both middle runs reached: the mean of the two middles.
            int k = sorted.Count;
            MedianUpdates = k % 2 == 0 && sorted[k / 2 - 1].Status == TrialResult.Reached
                ? 0.5 * (sorted[k / 2 - 1].UpdatesToTarget!.Value + sorted[k / 2].UpdatesToTarget!.Value)
                : sorted[k / 2].UpdatesToTarget!.Value;
        }
    }

    /// <summary>Learning rate.</summary>
    public double LearningRate { get; }

    /// <summary>Explicit momentum.</summary>
    public double Momentum { get; }

    /// <summary>The runs, one per seed, ordered by seed.</summary>
    public IReadOnlyList<TrialResult> Trials { get; }

    /// <summary>The median run by <see cref="TrialRanking"/> (upper median for an even count).</summary>
    public TrialResult Median { get; }

    /// <summary>Status of the median run.</summary>
    public string Status => Median.Status;

    /// <summary>Median updates to target when the median run reached it.</summary>
    public double? MedianUpdates { get; }

    /// <summary>Fewest updates to target over the seeds that reached it.</summary>
    public double? MinUpdates { get; }

    /// <summary>Most updates to target over the seeds that reached it.</summary>
    public double? MaxUpdates { get; }

    /// <summary>Seeds that reached the target.</summary>
    public int ReachedCount { get; }

    /// <summary>True when successive halving stopped this point before the full budget.</summary>
    public bool StoppedEarly { get; }

    /// <summary>Every seed diverged (or failed): this point prunes larger learning rates with the same momentum.</summary>
    public bool IsDiverged => Trials.All(t => t.Status is TrialResult.Diverged or TrialResult.Failed);

    /// <summary>Score: median updates to target, the budget when censored ("budget+"), NaN when diverged or pruned.</summary>
    public double Score => MedianUpdates ?? Median.Score;

    /// <summary>Score as text: "123", "2000+" (censored), "div", "pruned", "failed".</summary>
    public string ScoreText => Status switch
    {
        TrialResult.Reached => Score.ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
        TrialResult.Censored => $"{Median.Budget}+",
        TrialResult.Diverged => "div",
        _ => Status,
    };
}
