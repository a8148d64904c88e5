using System.Text.Json.Serialization;
using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>The outcome of the momentum study: one <see cref="StudyLevel"/> per asynchrony level, the reference and the automatic reading.</summary>
public sealed record StudyResult
{
    /// <summary>Preset name.</summary>
    public string Preset { get; init; } = "custom";

    /// <summary>Base configuration.</summary>
    public required TrainingOptions Config { get; init; }

    /// <summary>Learning-rate grid.</summary>
    public required IReadOnlyList<double> LearningRates { get; init; }

    /// <summary>Momentum grid.</summary>
    public required IReadOnlyList<double> Momenta { get; init; }

    /// <summary>Seeds per point.</summary>
    public required IReadOnlyList<ulong> Seeds { get; init; }

    /// <summary>Update budget per run.</summary>
    public long Budget { get; init; }

    /// <summary>Evaluation period.</summary>
    public int EvalEvery { get; init; }

    /// <summary>Levels, ordered by number of groups.</summary>
    public required IReadOnlyList<StudyLevel> Levels { get; init; }

    /// <summary>Number of groups of the reference (synchronous, or the least asynchronous level studied).</summary>
    public int ReferenceGroups { get; init; }

    /// <summary>Updates to target of the best reference run (penalties divide by it).</summary>
    public double ReferenceUpdates { get; init; }

    /// <summary>Automatic reading of the result, one sentence per item.</summary>
    public required IReadOnlyList<string> Reading { get; init; }

    /// <summary>Best explicit momentum non-increasing in g (ties allowed); false with one level.</summary>
    public bool Monotone { get; init; }

    /// <summary>Bootstrap replicates over seeds behind the intervals (0: one seed per point, no intervals).</summary>
    public int BootstrapReplicates { get; init; }

    /// <summary>Share of the bootstrap replicates in which the best momentum is non-increasing in g (NaN without them).</summary>
    public double ShareMonotone { get; init; } = double.NaN;

    /// <summary>Runs executed, reused from the journal, pruned; and the summed wall seconds of executed runs.</summary>
    public int RunsExecuted { get; init; }

    /// <summary>Runs reused from the journal.</summary>
    public int RunsReused { get; init; }

    /// <summary>Runs skipped by pruning.</summary>
    public int RunsPruned { get; init; }

    /// <summary>Summed wall seconds of the executed runs.</summary>
    public double CostSeconds { get; init; }

    /// <summary><c>study --policies</c>: each staleness policy at each level, alone and combined with momentum tuning (empty without it).</summary>
    public IReadOnlyList<PolicyComparisonRow> PolicyComparison { get; init; } = [];

    /// <summary><c>study --auto</c>: closed-loop momentum against the tuned optimum, per level (empty without <c>--auto</c>).</summary>
    public IReadOnlyList<AutoMomentumRow> AutoMomentum { get; init; } = [];

    /// <summary>Wall seconds of the whole study.</summary>
    public double WallSeconds { get; init; }
}
