namespace Polyak.Optimization;

/// <summary>The state of an <see cref="OnlineMomentumEstimator"/> (float buffers as raw bytes), carried by checkpoints.</summary>
public sealed record OnlineMomentumEstimatorState
{
    /// <summary>Tracked coordinates.</summary>
    public required int Coordinates { get; init; }

    /// <summary>Versions kept.</summary>
    public required int Depth { get; init; }

    /// <summary>Gradient steps of the kept versions (floats as bytes).</summary>
    public required byte[] Steps { get; init; }

    /// <summary>Version held in each step slot.</summary>
    public required long[] StepTag { get; init; }

    /// <summary>Mean gradients per read version (floats as bytes).</summary>
    public required byte[] Grads { get; init; }

    /// <summary>Version held in each gradient slot.</summary>
    public required long[] GradTag { get; init; }

    /// <summary>Gradients averaged in each slot.</summary>
    public required int[] GradCount { get; init; }

    /// <summary>Per-coordinate moments.</summary>
    public required double[] Moments { get; init; }

    /// <summary>Pooled moments.</summary>
    public required double[] Pooled { get; init; }

    /// <summary>Per-coordinate sums of the explicit-ratio check.</summary>
    public required double[] Ratio { get; init; }

    /// <summary>The previous applied step per coordinate (floats as bytes).</summary>
    public required byte[] PreviousStep { get; init; }

    /// <summary>Next version to enter the moments.</summary>
    public long Next { get; init; }

    /// <summary>Latest version seen.</summary>
    public long Latest { get; init; }

    /// <summary>Versions in the moments.</summary>
    public long Processed { get; init; }

    /// <summary>Learning rate of the latest update.</summary>
    public double LastAlpha { get; init; }

    /// <summary>Explicit momentum of the latest update.</summary>
    public double LastMomentum { get; init; }

    /// <summary>Exponentially weighted sum of stalenesses (0 in checkpoints written before it existed).</summary>
    public double StalenessSum { get; init; }

    /// <summary>Exponentially weighted count of updates behind <see cref="StalenessSum"/>.</summary>
    public double StalenessWeight { get; init; }

    /// <summary>Exponentially weighted count of updates with staleness 0.</summary>
    public double FreshSum { get; init; }

    /// <summary>Exponentially weighted count of updates with staleness 1.</summary>
    public double OnceSum { get; init; }
}
