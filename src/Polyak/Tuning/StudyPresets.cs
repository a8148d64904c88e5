using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>
/// The study's presets. <c>quick</c> (minutes): least squares on an ill-conditioned synthetic regression, where
/// heavy-ball momentum matters and the asynchrony-induced momentum shows clearly. <c>full</c> (tens of
/// minutes): LeNet on Fashion-MNIST. <c>mlp-fashion</c> (minutes): the MLP problem of the research-grade issue — a
/// 784-256-10 MLP on Fashion-MNIST to loss 0.45. All over N = 16 workers, g in {1, 2, 4, 8, 16}, on the simulator, with
/// an odd number of seeds (the median stays a run).
/// </summary>
public static class StudyPresets
{
    /// <summary>Names of the presets.</summary>
    public static readonly string[] Names = ["quick", "full", "mlp-fashion"];

    /// <summary>The study's default backend: the simulator when it is available, else threads.</summary>
    public static string DefaultBackend =>
        BackendCatalog.Names.Contains("simulated", StringComparer.OrdinalIgnoreCase) ? "simulated" : "threads";

    /// <summary>The quick preset (synthetic least squares, seconds per level on the simulator).</summary>
    public static StudyRequest Quick(string? backend = null) => new()
    {
        Preset = "quick",
        Base = new TrainingOptions
        {
            Model = "linear",
            Data = "synthetic:regression,dim=20,n=4000,test=500,cond=200,noise=0.1",
            Backend = backend ?? DefaultBackend,
            Workers = 16,
            Batch = 16,
            TargetLoss = 0.02,
            EvalSize = 500,
            Seed = 1,
        },
        // 17 learning rates a factor sqrt(2) apart (0.005 to 1.28): fine enough that the learning rate does not
        // have to trade against momentum, wide enough that mu = 0.9 converges somewhere at every level.
        LearningRates = TuningRequest.LogGrid(0.08, 17, Math.Sqrt(2)),
        Seeds = TuningRequest.SeedRange(1, 7),
        Budget = 3000,
        EvalEvery = 2,
    };

    /// <summary>The full preset (LeNet on Fashion-MNIST, tens of minutes on the simulator).</summary>
    public static StudyRequest Full(string? backend = null) => new()
    {
        Preset = "full",
        Base = FashionMnist("lenet", 0.5, backend),
        LearningRates = TuningRequest.LogGrid(0.03, 3, 3),
        Seeds = TuningRequest.SeedRange(1, 3),
        Budget = 800,
        EvalEvery = 20,
        Halving = true,
    };

    /// <summary>
    /// The MLP problem (784-256-10 on Fashion-MNIST, batch 64, target evaluation loss 0.45): learning rates 0.01 to 0.3
    /// (factor about 3), the default momenta, 3 seeds, budget 3,000 updates.
    /// </summary>
    public static StudyRequest MlpFashion(string? backend = null) => new()
    {
        Preset = "mlp-fashion",
        Base = FashionMnist("mlp", 0.45, backend),
        LearningRates = [0.01, 0.03, 0.1, 0.3],
        Seeds = TuningRequest.SeedRange(1, 3),
        Budget = 3000,
        EvalEvery = 20,
    };

    /// <summary>The Fashion-MNIST presets' base: <paramref name="model"/> over 16 workers, batch 64, to <paramref name="targetLoss"/>, evaluated on 1,000 rows.</summary>
    private static TrainingOptions FashionMnist(string model, double targetLoss, string? backend) => new()
    {
        Model = model,
        Data = "fashion-mnist",
        Backend = backend ?? DefaultBackend,
        Workers = 16,
        Batch = 64,
        TargetLoss = targetLoss,
        EvalSize = 1000,
        Seed = 1,
    };

    /// <summary>The preset named <paramref name="name"/>; throws naming the known ones.</summary>
    public static StudyRequest Get(string name, string? backend = null) => name.ToLowerInvariant() switch
    {
        "quick" => Quick(backend),
        "full" => Full(backend),
        "mlp-fashion" => MlpFashion(backend),
        _ => throw new ArgumentException($"unknown study preset '{name}': expected one of {string.Join(", ", Names)}"),
    };
}
