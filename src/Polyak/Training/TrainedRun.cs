using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;

namespace Polyak.Training;

/// <summary>
/// A run read back from its folder for inference: the configuration, the model rebuilt from it, the data it trained on
/// (loaded again from the recorded spec and seed, so the same train/test split) and the parameters of its newest
/// checkpoint. A completed run's checkpoint holds its final parameters, the ones its <c>final_accuracy</c> was measured on.
/// </summary>
public sealed record TrainedRun(string Directory, TrainingOptions Config, IModel Model, DataSplit Data, float[] Parameters, long Update, string? Status)
{
    /// <summary>
    /// Reads run folder <paramref name="runDir"/>. <paramref name="data"/> replaces the recorded data (it must fit the model).
    /// Throws <see cref="ArgumentException"/> naming the folder when it is not a run folder Polyak can rebuild.
    /// </summary>
    public static TrainedRun Load(string runDir, DataSplit? data = null, Action<string>? log = null) =>
        Load(runDir, data is null ? null : _ => data, log);

    /// <summary>
    /// Reads run folder <paramref name="runDir"/> with data of the caller's choosing, made from the run's configuration
    /// (e.g. other data loaded with the run's test fraction and seed); the recorded data is then not loaded at all.
    /// </summary>
    public static TrainedRun Load(string runDir, Func<TrainingOptions, DataSplit>? data, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDir);
        if (File.Exists(runDir)) throw new ArgumentException($"'{runDir}' is a file; give a run folder (one that holds {CheckpointFile.FileName})");
        if (!System.IO.Directory.Exists(runDir)) throw new ArgumentException($"run folder '{runDir}' does not exist");
        string path = Path.Combine(runDir, CheckpointFile.FileName);
        if (!File.Exists(path))
            throw new ArgumentException($"'{runDir}' holds no {CheckpointFile.FileName}: it is not a run folder, or its run was started with checkpoints off");
        var checkpoint = CheckpointFile.Read(path);
        var config = checkpoint.State.Config;
        if (data is null && config.Data.StartsWith(TrainingSetup.InMemoryPrefix, StringComparison.Ordinal))
            throw new ArgumentException($"the run in '{runDir}' trained on data held in memory ({config.Data}); read it with TrainedRun.Load(runDir, data) and the same data");
        var split = data is null ? RunPlanner.LoadData(config) : data(config);
        if (data is null && checkpoint.State.DataFingerprint is string then && DataFingerprint.Of(split) is var now && now != then)
            log?.Invoke($"warning: data '{config.Data}' changed since the run trained on it (fingerprint {then}, now {now})");
        var model = ModelCatalog.Create(config.Model, split.Train);
        if (model.ParameterCount != checkpoint.State.ParameterCount)
            throw new ArgumentException($"the checkpoint in '{runDir}' has {checkpoint.State.ParameterCount:N0} parameters but model '{config.Model}' on data '{split.Train.Name}' has {model.ParameterCount:N0}");
        string? status = RunFolderState.Read(runDir)?.Status;
        return new TrainedRun(Path.GetFullPath(runDir), config, model, split, checkpoint.W, checkpoint.State.Version, status);
    }
}
