using Polyak.Data;

namespace Polyak.Models;

/// <summary>
/// A model as a gradient oracle over one flat parameter vector <c>w</c>: given <c>w</c> and a mini-batch of rows
/// it returns the mean loss and writes the mean gradient. Nothing about parallelism lives in a model; all
/// scratch memory lives in a per-worker <see cref="ModelWorkspace"/>, so a gradient evaluation allocates nothing.
/// </summary>
public interface IModel
{
    /// <summary>Short name, e.g. "softmax".</summary>
    string Name { get; }

    /// <summary>Length of the flat parameter vector.</summary>
    int ParameterCount { get; }

    /// <summary>True for classifiers (accuracy is reported), false for regression.</summary>
    bool IsClassifier { get; }

    /// <summary>Writes initial parameters (deterministic for a seed).</summary>
    void Initialize(Span<float> w, ulong seed);

    /// <summary>Creates scratch memory for batches of up to <paramref name="maxBatch"/> rows.</summary>
    ModelWorkspace CreateWorkspace(int maxBatch, ulong seed);

    /// <summary>
    /// Bytes a workspace for <paramref name="maxBatch"/> rows will allocate, computed without allocating (the run's memory
    /// estimate adds it up per worker before anything is allocated). Throws <see cref="ArgumentException"/> when one of
    /// its buffers could not exist at all. The default, 0, suits models whose workspace holds per-row scratch only.
    /// </summary>
    long EstimateWorkspaceBytes(int maxBatch) => 0;

    /// <summary>
    /// Mean loss over <paramref name="rows"/> of <paramref name="data"/> at parameters <paramref name="w"/>;
    /// overwrites <paramref name="gradient"/> with the mean gradient. Training mode (dropout active).
    /// <paramref name="rows"/> must not exceed the workspace's batch capacity.
    /// </summary>
    float LossAndGradient(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, Span<float> gradient, ModelWorkspace workspace);

    /// <summary>Mean loss and number of correct predictions over any number of rows (inference mode).</summary>
    EvaluationResult Evaluate(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, ModelWorkspace workspace);

    /// <summary>
    /// Values <see cref="Predict"/> writes per row: the C class scores (logits) of a C-class classifier, the log-odds of a
    /// binary logistic model, the prediction of a regression. The default, 1, suits a single-output model.
    /// </summary>
    int OutputCount => 1;

    /// <summary>
    /// Writes the model's raw outputs (inference mode) for <paramref name="rows"/> into <paramref name="outputs"/>,
    /// <see cref="OutputCount"/> values per row, row after row. What <c>polyak evaluate</c> and the ONNX export check read.
    /// A model that does not expose its outputs throws <see cref="NotSupportedException"/> (the default).
    /// </summary>
    void Predict(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, Span<float> outputs, ModelWorkspace workspace) =>
        throw new NotSupportedException($"model '{Name}' does not expose its outputs (IModel.Predict)");
}
