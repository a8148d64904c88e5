namespace Polyak.Optimization;

/// <summary>Settings of closed-loop momentum control (<c>--momentum auto[:TARGET]</c>).</summary>
public sealed record AutoMomentumOptions
{
    /// <summary>Target total momentum; null = find it with a short synchronous tune.</summary>
    public double? Target { get; init; }

    /// <summary>Feedback gain gamma in (0, 1].</summary>
    public double Gain { get; init; } = 0.3;

    /// <summary>Lower bound on the explicit momentum.</summary>
    public double Min { get; init; } = -0.9;

    /// <summary>Upper bound on the explicit momentum.</summary>
    public double Max { get; init; } = 0.99;

    /// <summary>Adjust the explicit momentum every this many updates.</summary>
    public int Period { get; init; } = 50;

    /// <summary>Explicit momentum at the start; null = the queueing model's prediction target - (1 - 1/g), clipped.</summary>
    public double? Initial { get; init; }
}
