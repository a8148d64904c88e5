using System.Text.Json.Serialization;
using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>The best point of one momentum policy at one level, and its statistical penalty.</summary>
public sealed record PolicyChoice
{
    /// <summary>Chosen learning rate.</summary>
    public double LearningRate { get; init; }

    /// <summary>Chosen explicit momentum.</summary>
    public double Momentum { get; init; }

    /// <summary>Median updates to target (the budget when censored).</summary>
    public double UpdatesToTarget { get; init; }

    /// <summary>Status of the chosen point's median run.</summary>
    public string Status { get; init; } = "";

    /// <summary>Updates to target divided by the best synchronous run's (a lower bound when censored); NaN if nothing converged.</summary>
    public double Penalty { get; init; }

    /// <summary>True when the chosen point reached the target (else the penalty is a lower bound).</summary>
    public bool Reached => Status == TrialResult.Reached;

    /// <summary>Other momenta whose points tie with the chosen one (same score; the tie-break chose between them); empty when none.</summary>
    public IReadOnlyList<double> TiedMomenta { get; init; } = [];

    /// <summary>Where the chosen point sits on the grid's edge for this policy, e.g. <c>lr 0.001 is the lowest rate</c>; empty when interior.</summary>
    public IReadOnlyList<string> Edges { get; init; } = [];

    /// <summary>The edges of <see cref="Edges"/> as (momentum axis, "lowest" or "highest"), for extending the grid there.</summary>
    [JsonIgnore]
    public IReadOnlyList<(bool Momentum, string End)> EdgeEnds { get; init; } = [];

    /// <summary>Every momentum the policy could have chosen with this score: the chosen one and the tied ones.</summary>
    [JsonIgnore]
    public IEnumerable<double> CandidateMomenta => double.IsNaN(Momentum) ? [] : TiedMomenta.Prepend(Momentum);

    /// <summary>At least as good as <paramref name="other"/>: reached beats not reached; otherwise the lower penalty.</summary>
    public bool NoWorseThan(PolicyChoice other)
    {
        if (Reached != other.Reached) return Reached;
        if (double.IsNaN(other.Penalty)) return true;
        return !(Penalty > other.Penalty);
    }

    /// <summary>
    /// The best point of <paramref name="policy"/> in <paramref name="result"/> with its ties and its grid edges (the
    /// momentum edges only where the policy's momenta reach the grid's: a fixed momentum has none, a non-negative policy
    /// only the highest).
    /// </summary>
    public static PolicyChoice For(TuningResult result, Func<TuningPoint, bool> policy, double reference, IReadOnlyList<double> lrs,
        IReadOnlyList<double> momenta, bool momentumLowEdge, bool momentumHighEdge)
    {
        var tied = result.TiedBestWhere(policy);
        if (tied.Count == 0) return From(null, reference);
        var best = tied[0];
        var c = System.Globalization.CultureInfo.InvariantCulture;
        var ends = TuningResult.GridEdges(best.LearningRate, best.Momentum, lrs, momenta)
            .Where(e => !e.Momentum || (e.End == "lowest" ? momentumLowEdge : momentumHighEdge)).ToArray();
        var edges = ends.Select(e => e.Momentum ? string.Create(c, $"mu {best.Momentum:0.##} is the {e.End} momentum") : string.Create(c, $"lr {best.LearningRate:G4} is the {e.End} rate")).ToArray();
        return From(best, reference) with
        {
            TiedMomenta = tied.Skip(1).Select(p => p.Momentum).Where(m => m != best.Momentum).Distinct().Order().ToArray(),
            Edges = edges,
            EdgeEnds = ends,
        };
    }

    /// <summary>Builds the choice from a point (null point: nothing usable).</summary>
    public static PolicyChoice From(TuningPoint? p, double reference) => p is null
        ? new PolicyChoice { LearningRate = double.NaN, Momentum = double.NaN, UpdatesToTarget = double.NaN, Status = "none", Penalty = double.NaN }
        : new PolicyChoice
        {
            LearningRate = p.LearningRate,
            Momentum = p.Momentum,
            UpdatesToTarget = p.Score,
            Status = p.Status,
            Penalty = double.IsNaN(p.Score) || !(reference > 0) ? double.NaN : p.Score / reference,
        };
}
