using Polyak.Data;

namespace Polyak.Models;

/// <summary>Result of evaluating a model on a set of rows.</summary>
public readonly record struct EvaluationResult(double Loss, long Correct, int Count)
{
    /// <summary>Fraction of correct predictions (NaN when there are no rows).</summary>
    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;
}
