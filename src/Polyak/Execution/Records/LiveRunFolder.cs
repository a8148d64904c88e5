using System.Diagnostics;
using System.Text;

namespace Polyak.Execution;

/// <summary>
/// Keeps a run folder recoverable while the run trains: <c>curve.csv</c> gets a row per evaluation, written through to
/// the operating system at once (a <c>kill -9</c> keeps it; synced to disk at most every few seconds), and
/// <c>run.json</c> is rewritten atomically with status <c>running</c>, the summary so far and the process training it (at
/// most every 2 s, and at every checkpoint), with <c>momentum.csv</c>. At the end the folder writer replaces them all
/// with the final record. Thread-safe: groups evaluate on their own threads.
/// </summary>
public sealed class LiveRunFolder : IDisposable
{
    /// <summary>Least time between two rewrites of run.json while training.</summary>
    public static readonly TimeSpan RecordPeriod = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan SyncPeriod = TimeSpan.FromSeconds(5);

    private readonly object _lock = new();
    private readonly string _dir;
    private readonly Func<RunRecord> _record;
    private readonly Stopwatch _sinceRecord = new();
    private readonly Stopwatch _sinceSync = new();
    private FileStream? _curve;

    /// <summary>
    /// Starts the live folder <paramref name="dir"/>: writes the record so far (<paramref name="record"/> builds it) and
    /// <c>curve.csv</c> with the points the run already has (a resumed run's curve up to its checkpoint, so rows an earlier
    /// process wrote after it are dropped), then appends from there.
    /// </summary>
    public LiveRunFolder(string dir, Func<RunRecord> record)
    {
        _dir = dir;
        _record = record;
        var first = record();
        RunFolderWriter.CurveCsv(first).WriteTo(Path.Combine(dir, "curve.csv"));
        _curve = new FileStream(Path.Combine(dir, "curve.csv"), FileMode.Append, FileAccess.Write, FileShare.Read);
        WriteRecord(first);
        _sinceSync.Start();
    }

    /// <summary>Appends an evaluation to curve.csv; rewrites run.json when the last rewrite is old enough.</summary>
    public void OnEvaluation(EvalPoint p)
    {
        lock (_lock)
        {
            if (_curve is null) return;
            var row = RunFolderWriter.CurveWriter();
            RunFolderWriter.CurveRow(row, p);
            string text = row.ToString();
            _curve.Write(Encoding.UTF8.GetBytes(text[(text.IndexOf('\n') + 1)..]));
            _curve.Flush(flushToDisk: _sinceSync.Elapsed >= SyncPeriod);
            if (_sinceSync.Elapsed >= SyncPeriod) _sinceSync.Restart();
            if (_sinceRecord.Elapsed >= RecordPeriod) WriteRecord(_record());
        }
    }

    /// <summary>Rewrites run.json now (after a checkpoint: the record then says how far the checkpoint is).</summary>
    public void Refresh()
    {
        lock (_lock)
        {
            if (_curve is null) return;
            _curve.Flush(flushToDisk: true);
            WriteRecord(_record());
        }
    }

    private void WriteRecord(RunRecord record)
    {
        Json.WriteFileAtomic(Path.Combine(_dir, "run.json"), record);
        if (record.AutoMomentum is { } auto) RunFolderWriter.MomentumCsv(auto).WriteTo(Path.Combine(_dir, "momentum.csv"));
        _sinceRecord.Restart();
    }

    /// <summary>Stops writing (the final writer takes over the files).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _curve?.Dispose();
            _curve = null;
        }
    }
}
