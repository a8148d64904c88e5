using Polyak.Optimization;

namespace Polyak.Execution;

/// <summary>
/// Training options with every default filled in and validated: what a run actually used.
/// Created by <see cref="Resolve"/>, which throws <see cref="ArgumentException"/> naming the bad option.
/// </summary>
public sealed record ResolvedOptions
{
    /// <summary>The options as given (after defaults).</summary>
    public required TrainingOptions Given { get; init; }

    /// <summary>Number of workers N.</summary>
    public required int Workers { get; init; }

    /// <summary>Number of compute groups g.</summary>
    public required int Groups { get; init; }

    /// <summary>Workers per group N / g.</summary>
    public int GroupSize => Workers / Groups;

    /// <summary>Mini-batch size B.</summary>
    public required int Batch { get; init; }

    /// <summary>Base learning rate.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Learning-rate schedule.</summary>
    public required LearningRateSchedule Schedule { get; init; }

    /// <summary>Run seed.</summary>
    public ulong Seed => Given.Seed;

    /// <summary>Checks the options that do not depend on the data or model; throws naming what is wrong.</summary>
    public static void ValidateGeneric(TrainingOptions o)
    {
        if (o.Workers < 1) throw new ArgumentException($"--workers must be >= 1, got {o.Workers}");
        if (o.Workers > 4096) throw new ArgumentException($"--workers must be <= 4096, got {o.Workers}");
        int g = o.Groups ?? o.Workers;
        if (g < 1) throw new ArgumentException($"--groups must be >= 1, got {g}");
        if (o.Workers % g != 0) throw new ArgumentException($"--groups {g} does not divide --workers {o.Workers}");
        if (o.Batch < 1) throw new ArgumentException($"--batch must be >= 1, got {o.Batch}");
        if (o.Batch < o.Workers / g)
            throw new ArgumentException($"--batch {o.Batch} is smaller than the group size {o.Workers / g}: every member needs at least one sample");
        if (o.LearningRate is double lr && (!(lr > 0) || !double.IsFinite(lr)))
            throw new ArgumentException($"--lr must be a positive finite number, got {lr}");
        if (!(o.Momentum > -1 && o.Momentum < 1)) throw new ArgumentException($"--momentum must be in (-1, 1), got {o.Momentum}");
        if (!(o.WeightDecay >= 0) || !double.IsFinite(o.WeightDecay)) throw new ArgumentException($"--weight-decay must be a finite number >= 0, got {o.WeightDecay}");
        if (o.Updates is long u && u < 1) throw new ArgumentException($"--updates must be >= 1, got {u}");
        if (o.Epochs is double e && (!(e > 0) || !double.IsFinite(e))) throw new ArgumentException($"--epochs must be > 0, got {e}");
        if (o.TimeSeconds is double t && (!(t > 0) || !double.IsFinite(t))) throw new ArgumentException($"--time must be > 0 seconds, got {t}");
        if (o.TargetLoss is double x && !double.IsFinite(x)) throw new ArgumentException($"--target-loss must be a finite number, got {x}");
        if (o.EvalEvery is int ev && ev < 1) throw new ArgumentException($"--eval-every must be >= 1, got {ev}");
        if (o.EvalSize < 1) throw new ArgumentException($"--eval-size must be >= 1, got {o.EvalSize}");
        if (!(o.TestFraction > 0 && o.TestFraction < 1)) throw new ArgumentException($"--test-fraction must be in (0, 1), got {o.TestFraction}");
        if (!(o.DivergenceFactor > 1)) throw new ArgumentException($"divergence factor must be > 1, got {o.DivergenceFactor}");
        if (o.CheckpointEvery is long c && c < 0) throw new ArgumentException($"--checkpoint-every must be >= 0, got {c}");
        if (o.AutoMomentum is { } a) MomentumController.Validate(a, a.Target);
        if (string.Equals(o.Backend, "simulated", StringComparison.OrdinalIgnoreCase)) ClockModel.Validate(o.Simulation, o.Workers);
        try { LearningRateSchedule.Parse(o.Schedule, o.LearningRate ?? 0.1); }
        catch (FormatException ex) { throw new ArgumentException($"--schedule: {ex.Message}"); }
    }

    /// <summary>Resolves defaults that depend on the model.</summary>
    public static ResolvedOptions Resolve(TrainingOptions o, double defaultLearningRate)
    {
        ValidateGeneric(o);
        double lr = o.LearningRate ?? defaultLearningRate;
        return new ResolvedOptions
        {
            Given = o with { LearningRate = lr, Groups = o.Groups ?? o.Workers },
            Workers = o.Workers,
            Groups = o.Groups ?? o.Workers,
            Batch = o.Batch,
            LearningRate = lr,
            Schedule = LearningRateSchedule.Parse(o.Schedule, lr),
        };
    }
}
