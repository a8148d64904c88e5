namespace Polyak.Execution;

/// <summary>
/// The checkpointer of a session: captures everything a resumed run needs (<see cref="CheckpointState"/>: server state,
/// batch streams, curve and timers, control series and estimator, backend state) at a consistent point and writes it
/// atomically to <see cref="Path"/> (<see cref="CheckpointFile"/>). Safe to call from any worker thread.
/// </summary>
public sealed class Checkpointer
{
    private readonly TrainingSession _session;
    private readonly object _lock = new();

    /// <summary>A checkpointer of <paramref name="session"/> writing to <paramref name="path"/>.</summary>
    public Checkpointer(TrainingSession session, string path)
    {
        _session = session;
        Path = path;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <summary>The run's state now.</summary>
    public Checkpoint Capture()
    {
        var s = _session;
        var server = s.Server.GetState();
        var state = new CheckpointState
        {
            PolyakVersion = PolyakVersion.Current,
            Config = s.Plan.Config,
            ParameterCount = s.Plan.Model.ParameterCount,
            Version = server.Version,
            Staleness = server.Staleness,
            SamplesDrawn = s.Context.Samplers.Select(x => x.SamplesDrawn).ToArray(),
            Momentum = server.Momentum,
            Curve = s.Monitor.Curve.ToList(),
            WallSeconds = s.Monitor.WallSeconds,
            EvalSeconds = s.Monitor.EvalSeconds,
            TargetReachedAt = s.Monitor.TargetReachedAt,
            StartedUtc = s.StartedUtc,
            DataFingerprint = Polyak.Data.DataFingerprint.Of(s.Plan.Data),
            Resumes = [.. s.Resumes],
            Backend = s.Plan.Backend is IResumableBackend rb ? rb.CaptureState(s.Context) : null,
            AutoMomentumSeries = s.Controller?.Series.ToList(),
            AutoMomentumEstimator = s.Controller?.Estimator.GetState(),
            MeanSquare = s.Server.Core.MeanSquare is { } ms ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(ms.AsSpan()).ToArray() : null,
        };
        return new Checkpoint(state, server.W, server.V);
    }

    /// <summary>Writes a checkpoint of the run as it is now.</summary>
    public void Write()
    {
        lock (_lock)
        {
            var (state, w, v) = Capture();
            CheckpointFile.Write(Path, state, w, v);
        }
    }

    /// <summary>Reads the checkpoint of run folder <paramref name="runDir"/>; throws <see cref="ArgumentException"/> when there is none.</summary>
    public static Checkpoint ReadRun(string runDir, Action<string>? log = null)
    {
        if (File.Exists(runDir)) throw new ArgumentException($"--resume: '{runDir}' is a file; give a run folder");
        if (!Directory.Exists(runDir)) throw new ArgumentException($"--resume: run folder '{runDir}' does not exist");
        string path = System.IO.Path.Combine(runDir, CheckpointFile.FileName);
        string previous = System.IO.Path.Combine(runDir, CheckpointFile.PreviousFileName);
        if (!File.Exists(path) && !File.Exists(previous))
            throw new ArgumentException($"--resume: '{runDir}' has no {CheckpointFile.FileName} (was the run started with checkpoints off?)");
        try
        {
            return CheckpointFile.Read(path);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException && File.Exists(previous))
        {
            var older = CheckpointFile.Read(previous);
            log?.Invoke($"{ex.Message}; resuming from the previous checkpoint ({CheckpointFile.PreviousFileName}, update {older.State.Version}) instead");
            return older;
        }
    }
}
