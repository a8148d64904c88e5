using System.Numerics.Tensors;
using Polyak.Data;

namespace Polyak.Models;

/// <summary>
/// Linear regression with squared loss: <c>f(w) = mean_i 0.5 (x_i . w[0..d) + w[d] - y_i)^2</c>.
/// Parameters: d weights then the bias.
/// </summary>
public sealed class LeastSquares(int featureCount) : LinearModel(featureCount)
{
    /// <inheritdoc/>
    public override string Name => "linear";

    /// <inheritdoc/>
    public override int ParameterCount => FeatureCount + 1;

    /// <inheritdoc/>
    public override bool IsClassifier => false;

    /// <inheritdoc/>
    public override ModelWorkspace CreateWorkspace(int maxBatch, ulong seed) => new Workspace(maxBatch);

    /// <inheritdoc/>
    public override float LossAndGradient(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, Span<float> gradient, ModelWorkspace workspace)
    {
        Check(w, data);
        CheckBatch(rows, workspace);
        if (data.Targets is null) throw new ArgumentException($"linear regression needs real targets; '{data.Name}' has class labels");
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
            float res = TensorPrimitives.Dot(x, weights) + bias - data.Targets[r];
            loss += 0.5 * res * res;
            gb += res;
            TensorPrimitives.MultiplyAdd(x, res * inv, gw, gw);
        }
        gradient[d] = (float)(gb * inv);
        return (float)(loss * inv);
    }

    /// <inheritdoc/>
    protected override double RowLoss(ReadOnlySpan<float> w, Dataset data, int row, ModelWorkspace workspace, out bool correct)
    {
        if (data.Targets is null) throw new ArgumentException($"linear regression needs real targets; '{data.Name}' has class labels");
        correct = false;
        double res = TensorPrimitives.Dot(data.Row(row), w[..FeatureCount]) + w[FeatureCount] - data.Targets[row];
        return 0.5 * res * res;
    }

    /// <inheritdoc/>
    protected override void RowOutputs(ReadOnlySpan<float> w, Dataset data, int row, Span<float> output, ModelWorkspace workspace) =>
        output[0] = TensorPrimitives.Dot(data.Row(row), w[..FeatureCount]) + w[FeatureCount];

    private sealed class Workspace(int maxBatch) : ModelWorkspace(maxBatch);
}
