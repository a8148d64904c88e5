using System.Numerics.Tensors;
using Polyak.Data;

namespace Polyak.Models;

/// <summary>
/// Binary logistic regression: <c>f(w) = mean_i softplus(z_i) - y_i z_i</c> with <c>z_i = x_i . w[0..d) + w[d]</c>
/// and labels y in {0, 1}. Parameters: d weights then the bias.
/// </summary>
public sealed class LogisticRegression(int featureCount) : LinearModel(featureCount)
{
    /// <inheritdoc/>
    public override string Name => "logistic";

    /// <inheritdoc/>
    public override int ParameterCount => FeatureCount + 1;

    /// <inheritdoc/>
    public override bool IsClassifier => true;

    /// <inheritdoc/>
    public override ModelWorkspace CreateWorkspace(int maxBatch, ulong seed) => new Workspace(maxBatch);

    /// <inheritdoc/>
    public override float LossAndGradient(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, Span<float> gradient, ModelWorkspace workspace)
    {
        Check(w, data);
        CheckBatch(rows, workspace);
        int[] labels = RequireBinary(data);
        int d = FeatureCount;
        var weights = w[..d];
        float bias = w[d];
        gradient.Clear();
        var gw = gradient[..d];
        float inv = 1f / rows.Length;
        double loss = 0, gb = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            // A batch of the whole data set is long on a big one: honour an interruption every 4,096 rows.
            if ((i & 4095) == 4095) workspace.Cancellation.ThrowIfCancellationRequested();
            int r = rows[i];
            var x = data.Row(r);
            double z = TensorPrimitives.Dot(x, weights) + bias;
            int y = labels[r];
            loss += Softplus(z) - y * z;
            double p = 1.0 / (1.0 + Math.Exp(-z));
            float coef = (float)(p - y);
            gb += coef;
            TensorPrimitives.MultiplyAdd(x, coef * inv, gw, gw);
        }
        gradient[d] = (float)(gb * inv);
        return (float)(loss * inv);
    }

    /// <inheritdoc/>
    protected override double RowLoss(ReadOnlySpan<float> w, Dataset data, int row, ModelWorkspace workspace, out bool correct)
    {
        int[] labels = RequireBinary(data);
        double z = TensorPrimitives.Dot(data.Row(row), w[..FeatureCount]) + w[FeatureCount];
        int y = labels[row];
        correct = (z > 0 ? 1 : 0) == y;
        return Softplus(z) - y * z;
    }

    /// <inheritdoc/>
    protected override void RowOutputs(ReadOnlySpan<float> w, Dataset data, int row, Span<float> output, ModelWorkspace workspace) =>
        output[0] = TensorPrimitives.Dot(data.Row(row), w[..FeatureCount]) + w[FeatureCount];

    private static double Softplus(double z) => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));

    private static int[] RequireBinary(Dataset data)
    {
        if (data.Labels is null || data.ClassCount != 2)
            throw new ArgumentException($"logistic regression needs 2-class labels; '{data.Name}' has {(data.Labels is null ? "real targets" : $"{data.ClassCount} classes")}");
        return data.Labels;
    }

    private sealed class Workspace(int maxBatch) : ModelWorkspace(maxBatch);
}
