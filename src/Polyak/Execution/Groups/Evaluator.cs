using Polyak.Data;
using Polyak.Models;

namespace Polyak.Execution;

/// <summary>
/// What one evaluating thread needs to evaluate parameters on the run's fixed evaluation subset: a parameter buffer
/// and an inference workspace (seed 0: evaluation draws nothing at random). The threads backend gives each group one,
/// the simulator's event loop shares one, a cluster leader has its own. Allocates nothing per evaluation.
/// </summary>
public sealed class Evaluator
{
    /// <summary>Largest batch of rows evaluated at once.</summary>
    public const int MaxBatch = 256;

    private readonly IModel _model;
    private readonly DataSplit _data;
    private readonly ModelWorkspace _workspace;

    /// <summary>Creates an evaluator of <paramref name="model"/> on <paramref name="data"/>'s evaluation rows.</summary>
    public Evaluator(IModel model, DataSplit data)
    {
        _model = model;
        _data = data;
        _workspace = model.CreateWorkspace(Math.Min(MaxBatch, Math.Max(1, data.EvalRows.Length)), 0);
        Parameters = new float[model.ParameterCount];
    }

    private ModelWorkspace? _heldOutWorkspace;
    private int[]? _heldOutRows;

    /// <summary>
    /// Evaluates <paramref name="w"/> on every row of the held-out split (<see cref="DataSplit.HeldOut"/>: validation, else
    /// test), for accuracy targets; its workspace is created on first use. Cancellable like <see cref="Evaluate(ReadOnlySpan{float}, CancellationToken)"/>.
    /// </summary>
    public EvaluationResult EvaluateHeldOut(ReadOnlySpan<float> w, CancellationToken cancellation = default)
    {
        _heldOutRows ??= Enumerable.Range(0, _data.HeldOut.Count).ToArray();
        _heldOutWorkspace ??= _model.CreateWorkspace(Math.Min(MaxBatch, Math.Max(1, _heldOutRows.Length)), 0);
        _heldOutWorkspace.Cancellation = cancellation;
        return _model.Evaluate(w, _data.HeldOut, _heldOutRows, _heldOutWorkspace);
    }

    /// <summary>A buffer to read the parameters into before <see cref="Evaluate(ReadOnlySpan{float}, CancellationToken)"/>.</summary>
    public float[] Parameters { get; }

    /// <summary>Evaluates <see cref="Parameters"/> on the evaluation subset.</summary>
    public EvaluationResult Evaluate() => Evaluate(Parameters);

    /// <summary>
    /// Evaluates <paramref name="w"/> on the evaluation subset (the training loss the curve tracks); a cancelled
    /// <paramref name="cancellation"/> stops a long evaluation between layers (<see cref="OperationCanceledException"/>).
    /// </summary>
    public EvaluationResult Evaluate(ReadOnlySpan<float> w, CancellationToken cancellation = default)
    {
        _workspace.Cancellation = cancellation;
        return _model.Evaluate(w, _data.Train, _data.EvalRows, _workspace);
    }
}
