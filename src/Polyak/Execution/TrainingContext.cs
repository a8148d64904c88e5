using System.Diagnostics;
using Polyak.Data;
using Polyak.Models;

namespace Polyak.Execution;

/// <summary>
/// Everything a backend needs for one run: the resolved options, model, data, parameter server, monitor,
/// the batch samplers (one random stream per compute group) and backend-specific record fields.
/// </summary>
public sealed class TrainingContext
{
    /// <summary>Creates a context; samplers are created per group from the run seed.</summary>
    public TrainingContext(ResolvedOptions options, IModel model, DataSplit data, ParameterServer server, RunMonitor monitor)
    {
        Options = options;
        Model = model;
        Data = data;
        Server = server;
        Monitor = monitor;
        Samplers = new BatchSampler[options.Groups];
        for (int g = 0; g < options.Groups; g++) Samplers[g] = new BatchSampler(data.Train.Count, options.Seed, g);
    }

    /// <summary>The resolved options.</summary>
    public ResolvedOptions Options { get; }

    /// <summary>The model.</summary>
    public IModel Model { get; }

    /// <summary>Train/test/eval data.</summary>
    public DataSplit Data { get; }

    /// <summary>The parameter server.</summary>
    public ParameterServer Server { get; }

    /// <summary>Stop conditions, evaluation schedule, loss curve.</summary>
    public RunMonitor Monitor { get; }

    /// <summary>One batch sampler per compute group (index = group).</summary>
    public BatchSampler[] Samplers { get; }

    /// <summary>Backend-specific fields for the run record (e.g. simulated time, clock model).</summary>
    public Dictionary<string, object?> BackendRecord { get; } = [];

    /// <summary>Test hook: called after each applied update with (group, read version, staleness).</summary>
    public Action<int, long, long>? UpdateHook { get; set; }

    /// <summary>Test hook: called by a group leader before it pushes (group, its step count); may block.</summary>
    public Action<int, long>? BeforePushHook { get; set; }

    /// <summary>Writes a checkpoint of the run as it is now (set by the trainer; null when checkpoints are off).</summary>
    public Action? WriteCheckpoint { get; set; }

    /// <summary>
    /// What a worker does after applying update <paramref name="version"/>: tells the monitor (stop conditions),
    /// evaluates when due (reading the parameters into <paramref name="evalBuffer"/>), checkpoints when due.
    /// </summary>
    public void AfterUpdate(long version, double batchLoss, float[] evalBuffer, ModelWorkspace evalWorkspace)
    {
        if (Monitor.OnApplied(version, batchLoss))
        {
            long v = Server.Read(evalBuffer);
            EvaluateAndRecord(evalBuffer, v, evalWorkspace);
        }
        if (WriteCheckpoint is not null && Monitor.CheckpointDue(version)) WriteCheckpoint();
    }

    /// <summary>Evaluates the parameters in <paramref name="w"/> (at <paramref name="version"/>) on the eval subset and records it.</summary>
    public void EvaluateAndRecord(ReadOnlySpan<float> w, long version, ModelWorkspace workspace)
    {
        long start = Stopwatch.GetTimestamp();
        var result = Model.Evaluate(w, Data.Train, Data.EvalRows, workspace);
        Monitor.RecordEvaluation(version, result, Model.IsClassifier, Stopwatch.GetElapsedTime(start));
    }
}
