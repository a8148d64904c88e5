using System.Numerics.Tensors;
using Polyak.Data;

namespace Polyak.Models;

/// <summary>
/// A model measured on a set of rows: mean loss, accuracy (classifiers) and the confusion matrix
/// (<c>Confusion[true][predicted]</c> counts; the predicted class is the argmax of the outputs, the first on a tie, as
/// <see cref="IModel.Evaluate"/> counts it, so the diagonal adds up to <see cref="Correct"/>).
/// </summary>
public sealed record ModelEvaluation(int Rows, double Loss, long Correct, long[][]? Confusion)
{
    /// <summary>Fraction of rows predicted correctly (NaN for a regression).</summary>
    public double Accuracy => Confusion is null || Rows == 0 ? double.NaN : (double)Correct / Rows;

    /// <summary>Evaluates <paramref name="model"/> at <paramref name="w"/> on all rows of <paramref name="data"/>.</summary>
    public static ModelEvaluation Of(IModel model, ReadOnlySpan<float> w, Dataset data, int batch = 256, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        int[] rows = Enumerable.Range(0, data.Count).ToArray();
        var ws = model.CreateWorkspace(Math.Max(1, Math.Min(batch, data.Count)), 0);
        ws.Cancellation = cancel;
        var result = model.Evaluate(w, data, rows, ws);
        if (!model.IsClassifier || data.Labels is null) return new ModelEvaluation(data.Count, result.Loss, 0, null);

        int k = model.OutputCount, classes = Math.Max(k == 1 ? 2 : k, data.ClassCount);
        var confusion = new long[classes][];
        for (int c = 0; c < classes; c++) confusion[c] = new long[classes];
        var outputs = new float[batch * k];
        for (int start = 0; start < rows.Length; start += batch)
        {
            cancel.ThrowIfCancellationRequested();
            var chunk = rows.AsSpan(start, Math.Min(batch, rows.Length - start));
            model.Predict(w, data, chunk, outputs, ws);
            for (int i = 0; i < chunk.Length; i++)
            {
                int predicted = k == 1 ? (outputs[i] > 0 ? 1 : 0) : TensorPrimitives.IndexOfMax(outputs.AsSpan(i * k, k));
                confusion[data.Labels[chunk[i]]][predicted]++;
            }
        }
        return new ModelEvaluation(data.Count, result.Loss, result.Correct, confusion);
    }
}
