using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>
/// What the momentum study runs: a base configuration (N workers, backend, data, model, target loss), the
/// asynchrony levels (numbers of compute groups g dividing N), and the tuning grid used at every level.
/// </summary>
public sealed record StudyRequest
{
    /// <summary>Default levels over N = 16 workers: g in {1, 2, 4, 8, 16}.</summary>
    public static readonly IReadOnlyList<int> DefaultLevels = [1, 2, 4, 8, 16];

    /// <summary>Name of the preset the request came from (quick, full, custom).</summary>
    public string Preset { get; init; } = "custom";

    /// <summary>The configuration every level starts from (its <c>Groups</c> is replaced by each level).</summary>
    public required TrainingOptions Base { get; init; }

    /// <summary>Numbers of compute groups to study, each dividing <c>Base.Workers</c>.</summary>
    public IReadOnlyList<int> Levels { get; init; } = DefaultLevels;

    /// <summary>Learning rates of the grid.</summary>
    public required IReadOnlyList<double> LearningRates { get; init; }

    /// <summary>Momenta of the grid (0.9 is added when missing: the fixed-0.9 policy needs it).</summary>
    public IReadOnlyList<double> Momenta { get; init; } = TuningRequest.DefaultMomenta;

    /// <summary>Seeds per grid point.</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [1];

    /// <summary>Update budget per run.</summary>
    public required long Budget { get; init; }

    /// <summary>Evaluation period (null = budget / 100).</summary>
    public int? EvalEvery { get; init; }

    /// <summary>Successive halving inside each level's tune.</summary>
    public bool Halving { get; init; }

    /// <summary>Runs executed at once (null = automatic).</summary>
    public int? Parallelism { get; init; }

    /// <summary>
    /// <c>--extend-edges</c>: at most this many rounds of extending the grid where a policy's best point sits on its edge
    /// (0 = off). Each round adds one learning rate beyond the edge (the grid's own ratio) or one momentum (its own
    /// step, within [-0.9, 0.99]) and reruns what is new; the journal keeps everything run before.
    /// </summary>
    public int ExtendEdgeRounds { get; init; }

    /// <summary>
    /// <c>--policies</c>: server-side staleness policies to compare with momentum tuning (specs of
    /// <see cref="Optimization.StalenessPolicy"/>); the study's main analysis is on the first, and <c>none</c> is always
    /// the first. Empty: the base configuration's policy only.
    /// </summary>
    public IReadOnlyList<string> Policies { get; init; } = [];

    /// <summary>
    /// <c>--auto</c>: also run closed-loop momentum (<c>--momentum auto:TARGET</c>, TARGET the best momentum at g = 1 of this
    /// study) at every level over the learning-rate grid alone, and compare it with the full tune's optimum.
    /// </summary>
    public bool AutoMomentum { get; init; }

    /// <summary>The policies run: none first, then the others given, each once.</summary>
    public IReadOnlyList<string> ResolvedPolicies => Policies.Count == 0 ? []
        : Policies.Select(p => Optimization.StalenessPolicy.Parse(p).Spec).Prepend("none").Distinct().ToArray();

    /// <summary>The momentum grid actually used (with 0.9, sorted).</summary>
    public IReadOnlyList<double> ResolvedMomenta => Momenta.Append(0.9).Distinct().Order().ToArray();

    /// <summary>Checks the request; throws <see cref="ArgumentException"/> naming the bad part.</summary>
    public void Validate()
    {
        if (Levels.Count == 0) throw new ArgumentException("--levels: the level list is empty");
        foreach (int g in Levels)
        {
            if (g < 1) throw new ArgumentException($"--levels: every level (number of groups) must be >= 1, got {g}");
            if (Base.Workers % g != 0) throw new ArgumentException($"--levels: {g} groups do not divide --workers {Base.Workers}");
        }
        if (Levels.Distinct().Count() != Levels.Count) throw new ArgumentException("--levels: levels must be distinct");
        if (Base.TargetLoss is null && Base.TargetAccuracy is null)
            throw new ArgumentException("study needs a target (--target-loss X or --target-accuracy A): the criterion is updates to target");
        foreach (string policy in Policies)
        {
            try { Optimization.StalenessPolicy.Parse(policy); }
            catch (FormatException ex) { throw new ArgumentException($"--policies: {ex.Message}"); }
        }
        if (Policies.Count > 0 && Base.StalenessPolicy is string own && Optimization.StalenessPolicy.Parse(own).Kind != Optimization.StalenessPolicyKind.None)
            throw new ArgumentException($"--policies compares staleness policies against the plain rule; drop --staleness-policy {own} (list it in --policies)");
        foreach (string policy in Policies) ResolvedOptions.ValidateGeneric(Base with { StalenessPolicy = policy });
        if (Policies.Count > 0 && !ResolvedMomenta.Contains(0))
            throw new ArgumentException("--policies compares each policy alone (momentum 0) with momentum tuning: include 0 in --momenta");
        if (AutoMomentum && !Levels.Contains(1))
            throw new ArgumentException("--auto takes its target, the synchronous optimum, from level g = 1: include 1 in --levels");
        if (AutoMomentum && Base.AutoMomentum is not null)
            throw new ArgumentException("--auto sets the momentum controller itself; drop --momentum auto");
        if (ExtendEdgeRounds is < 0 or > 10) throw new ArgumentException($"--extend-edges: rounds must be in [0, 10], got {ExtendEdgeRounds}");
        foreach (int g in Levels) LevelRequest(g).Validate();
    }

    /// <summary>Runs the study plans over all its levels (<see cref="TuningRequest.PlannedRuns"/>: an upper bound with halving).</summary>
    public int PlannedRuns => Math.Max(1, ResolvedPolicies.Count) * Levels.Distinct().Sum(g => LevelRequest(g).PlannedRuns)
        + (AutoMomentum ? Levels.Distinct().Count() * LearningRates.Count * Seeds.Count : 0);

    /// <summary>The tuning request of closed-loop momentum toward <paramref name="target"/> at level <paramref name="groups"/>: the learning rates only.</summary>
    public TuningRequest AutoLevelRequest(int groups, double target) => new()
    {
        Base = Base with { Groups = groups },
        AutoMomentum = new Optimization.AutoMomentumOptions { Target = target },
        LearningRates = LearningRates,
        Momenta = [target],
        Seeds = Seeds,
        Budget = Budget,
        EvalEvery = EvalEvery,
        Parallelism = Parallelism,
    };

    /// <summary>The tuning request of level <paramref name="groups"/>.</summary>
    public TuningRequest LevelRequest(int groups) => new()
    {
        Base = Base with { Groups = groups },
        LearningRates = LearningRates,
        Momenta = ResolvedMomenta,
        Seeds = Seeds,
        Budget = Budget,
        EvalEvery = EvalEvery,
        Halving = Halving,
        HalvingPolicies = [IsFixed09, mu => mu >= 0],
        Parallelism = Parallelism,
    };

    /// <summary>The fixed-0.9 policy's momentum test.</summary>
    public static bool IsFixed09(double mu) => Math.Abs(mu - 0.9) < 1e-9;
}
