using System.Numerics.Tensors;
using Polyak.Data;

namespace Polyak.Models;

/// <summary>
/// Multinomial softmax regression with cross-entropy loss. Parameters: the C x d weight matrix (row-major,
/// one row per class) followed by C biases. Loss: <c>mean_i logsumexp(z_i) - z_i[y_i]</c>, <c>z_i = W x_i + b</c>.
/// </summary>
public sealed class SoftmaxRegression : LinearModel
{
    /// <summary>Creates a softmax regression over <paramref name="featureCount"/> inputs and <paramref name="classCount"/> classes.</summary>
    public SoftmaxRegression(int featureCount, int classCount) : base(featureCount)
    {
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), "softmax needs >= 2 classes");
        ClassCount = classCount;
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <inheritdoc/>
    public override string Name => "softmax";

    /// <inheritdoc/>
    public override int ParameterCount => ClassCount * (FeatureCount + 1);

    /// <inheritdoc/>
    public override bool IsClassifier => true;

    /// <inheritdoc/>
    public override ModelWorkspace CreateWorkspace(int maxBatch, ulong seed) => new Workspace(maxBatch, ClassCount);

    /// <inheritdoc/>
    public override float LossAndGradient(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, Span<float> gradient, ModelWorkspace workspace)
    {
        Check(w, data);
        CheckBatch(rows, workspace);
        int[] labels = RequireLabels(data);
        var ws = (Workspace)workspace;
        int d = FeatureCount, c = ClassCount;
        var weights = w[..(c * d)];
        var bias = w.Slice(c * d, c);
        gradient.Clear();
        var gw = gradient[..(c * d)];
        var gbias = gradient.Slice(c * d, c);
        float inv = 1f / rows.Length;
        var z = ws.Logits.AsSpan();
        double loss = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            // A batch of the whole data set is long on a big one: honour an interruption every 4,096 rows.
            if ((i & 4095) == 4095) workspace.Cancellation.ThrowIfCancellationRequested();
            int r = rows[i];
            var x = data.Row(r);
            for (int k = 0; k < c; k++) z[k] = TensorPrimitives.Dot(x, weights.Slice(k * d, d)) + bias[k];
            int y = labels[r];
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, z);
            TensorPrimitives.Exp(z, z);
            float sum = TensorPrimitives.Sum(z);
            // log p_y = z_y - max - log(sum); z now holds exp(z - max)
            loss += Math.Log(sum) - Math.Log(z[y]);
            float scale = inv / sum;
            for (int k = 0; k < c; k++)
            {
                float coef = z[k] * scale - (k == y ? inv : 0f);
                gbias[k] += coef;
                TensorPrimitives.MultiplyAdd(x, coef, gw.Slice(k * d, d), gw.Slice(k * d, d));
            }
        }
        return (float)(loss * inv);
    }

    /// <inheritdoc/>
    protected override double RowLoss(ReadOnlySpan<float> w, Dataset data, int row, ModelWorkspace workspace, out bool correct)
    {
        int[] labels = RequireLabels(data);
        var ws = (Workspace)workspace;
        int d = FeatureCount, c = ClassCount;
        var z = ws.Logits.AsSpan();
        var x = data.Row(row);
        for (int k = 0; k < c; k++) z[k] = TensorPrimitives.Dot(x, w.Slice(k * d, d)) + w[c * d + k];
        int y = labels[row];
        int argmax = TensorPrimitives.IndexOfMax(z);
        correct = argmax == y;
        float max = z[argmax];
        double sum = 0;
        for (int k = 0; k < c; k++) sum += Math.Exp(z[k] - max);
        return Math.Log(sum) - (z[y] - max);
    }

    /// <inheritdoc/>
    public override int OutputCount => ClassCount;

    /// <inheritdoc/>
    protected override void RowOutputs(ReadOnlySpan<float> w, Dataset data, int row, Span<float> output, ModelWorkspace workspace)
    {
        int d = FeatureCount, c = ClassCount;
        var x = data.Row(row);
        for (int k = 0; k < c; k++) output[k] = TensorPrimitives.Dot(x, w.Slice(k * d, d)) + w[c * d + k];
    }

    private int[] RequireLabels(Dataset data)
    {
        if (data.Labels is null) throw new ArgumentException($"softmax regression needs class labels; '{data.Name}' has real targets");
        if (data.ClassCount > ClassCount) throw new ArgumentException($"softmax has {ClassCount} classes, data '{data.Name}' has {data.ClassCount}");
        return data.Labels;
    }

    private sealed class Workspace(int maxBatch, int classes) : ModelWorkspace(maxBatch)
    {
        public readonly float[] Logits = new float[classes];
    }
}
