using Polyak.Data;

namespace Polyak.Models;

/// <summary>
/// Shared shape checks and chunked evaluation for models whose workspace holds per-row scratch only.
/// </summary>
public abstract class LinearModel : IModel
{
    /// <summary>Creates a linear model over <paramref name="featureCount"/> inputs.</summary>
    protected LinearModel(int featureCount)
    {
        if (featureCount < 1) throw new ArgumentOutOfRangeException(nameof(featureCount));
        FeatureCount = featureCount;
    }

    /// <summary>Number of input features.</summary>
    public int FeatureCount { get; }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract int ParameterCount { get; }

    /// <inheritdoc/>
    public abstract bool IsClassifier { get; }

    /// <inheritdoc/>
    public virtual void Initialize(Span<float> w, ulong seed) => w.Clear();

    /// <inheritdoc/>
    public abstract ModelWorkspace CreateWorkspace(int maxBatch, ulong seed);

    /// <inheritdoc/>
    public abstract float LossAndGradient(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, Span<float> gradient, ModelWorkspace workspace);

    /// <inheritdoc/>
    public EvaluationResult Evaluate(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, ModelWorkspace workspace)
    {
        Check(w, data);
        double loss = 0;
        long correct = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            loss += RowLoss(w, data, rows[i], workspace, out bool isCorrect);
            if (isCorrect) correct++;
        }
        return new EvaluationResult(rows.Length == 0 ? double.NaN : loss / rows.Length, correct, rows.Length);
    }

    /// <inheritdoc/>
    public virtual int OutputCount => 1;

    /// <inheritdoc/>
    public void Predict(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, Span<float> outputs, ModelWorkspace workspace)
    {
        Check(w, data);
        int k = OutputCount;
        if (outputs.Length < (long)rows.Length * k)
            throw new ArgumentException($"{Name}: {rows.Length} rows need {(long)rows.Length * k} outputs, the buffer holds {outputs.Length}");
        for (int i = 0; i < rows.Length; i++) RowOutputs(w, data, rows[i], outputs.Slice(i * k, k), workspace);
    }

    /// <summary>Writes the <see cref="OutputCount"/> raw outputs of one row.</summary>
    protected abstract void RowOutputs(ReadOnlySpan<float> w, Dataset data, int row, Span<float> output, ModelWorkspace workspace);

    /// <summary>Loss of one row and whether its prediction is correct.</summary>
    protected abstract double RowLoss(ReadOnlySpan<float> w, Dataset data, int row, ModelWorkspace workspace, out bool correct);

    /// <summary>Checks that the parameter vector and data fit this model.</summary>
    protected void Check(ReadOnlySpan<float> w, Dataset data)
    {
        if (w.Length != ParameterCount)
            throw new ArgumentException($"{Name}: expected {ParameterCount} parameters, got {w.Length}");
        if (data.FeatureCount != FeatureCount)
            throw new ArgumentException($"{Name}: model expects {FeatureCount} features, data '{data.Name}' has {data.FeatureCount}");
    }

    /// <summary>Checks the batch against the workspace capacity.</summary>
    protected static void CheckBatch(ReadOnlySpan<int> rows, ModelWorkspace ws)
    {
        if (rows.Length == 0) throw new ArgumentException("empty batch");
        if (rows.Length > ws.MaxBatch) throw new ArgumentException($"batch of {rows.Length} exceeds workspace capacity {ws.MaxBatch}");
    }
}
