namespace Polyak.Cluster.Contracts;

/// <summary>One evaluation of the parameters at a version, on the fixed evaluation subset.</summary>
[GenerateSerializer, Immutable]
public sealed class EvalReport
{
    /// <summary>Version evaluated.</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>Mean loss.</summary>
    [Id(1)] public double Loss { get; init; }

    /// <summary>Correct predictions.</summary>
    [Id(2)] public long Correct { get; init; }

    /// <summary>Rows evaluated.</summary>
    [Id(3)] public int Count { get; init; }

    /// <summary>Seconds the evaluation took.</summary>
    [Id(4)] public double Seconds { get; init; }

    /// <summary>The explicit momentum in force at that version.</summary>
    [Id(5)] public double Momentum { get; init; } = double.NaN;
}
