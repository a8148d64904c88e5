using System.Diagnostics;
using System.Globalization;
using Polyak.Execution;
using Spectre.Console;

namespace Polyak.Cli;

/// <summary>
/// Live progress of a training run on stderr. On a terminal: a Spectre.Console progress bar with updates done/total,
/// percentage, elapsed and remaining time (ETA), and the latest evaluation; log messages print above it.
/// Redirected (logs, pipes, CI; Spectre then prints nothing): plain lines, one per evaluation at most every two seconds,
/// with done/total, percentage and an ETA from the update rate so far.
/// </summary>
public sealed class ConsoleProgress : IProgress<ProgressReport>
{
    private readonly object _lock = new();
    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private IAnsiConsole? _console;
    private ProgressTask? _task;
    private double _lastLoss = double.NaN;
    private double? _lastAccuracy;
    private long _firstUpdate = -1;

    private ConsoleProgress()
    {
    }

    /// <summary>Runs <paramref name="body"/> with a progress display (a live bar on a terminal, plain lines otherwise).</summary>
    public static T Run<T>(Func<ConsoleProgress, T> body)
    {
        var progress = new ConsoleProgress();
        if (Console.IsErrorRedirected) return body(progress);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .Columns(new UpdatesColumn(), new ProgressBarColumn { Width = 20 }, new ElapsedTimeColumn(), new RemainingTimeColumn(),
                new TaskDescriptionColumn { Alignment = Justify.Left })
            .Start(ctx =>
            {
                lock (progress._lock)
                {
                    progress._console = console;
                    progress._task = ctx.AddTask("starting", maxValue: 1);
                }
                try
                {
                    result = body(progress);
                }
                finally
                {
                    lock (progress._lock)
                    {
                        if (progress._task is { } t && !t.IsIndeterminate) t.Value = Math.Min(t.Value, t.MaxValue);
                        progress._task?.StopTask();
                        progress._console = null;
                    }
                }
            });
        return result;
    }

    /// <summary>Prints an informational message (above the live bar on a terminal).</summary>
    public void Log(string message)
    {
        lock (_lock)
        {
            if (_console is { } console) console.WriteLine(message);
            else Console.Error.WriteLine(message);
        }
    }

    /// <inheritdoc/>
    public void Report(ProgressReport r)
    {
        lock (_lock)
        {
            if (r.IsEvaluation) { _lastLoss = r.EvalLoss; _lastAccuracy = r.EvalAccuracy; }
            if (_firstUpdate < 0) { _firstUpdate = r.Update; _elapsed.Restart(); }
            bool bounded = r.UpdateLimit != long.MaxValue;
            string acc = _lastAccuracy is double a ? string.Create(CultureInfo.InvariantCulture, $" acc {a:P1}") : "";
            string mu = double.IsNaN(r.Momentum) ? "" : string.Create(CultureInfo.InvariantCulture, $" mu {r.Momentum:F2}");
            string sim = r.SimulatedSeconds is double s ? string.Create(CultureInfo.InvariantCulture, $" sim {s:F1}s") : "";
            string batch = double.IsNaN(r.BatchLoss) ? "-" : r.BatchLoss.ToString("G4", CultureInfo.InvariantCulture);
            string loss = string.Create(CultureInfo.InvariantCulture, $"eval loss {_lastLoss:G4}{acc}  batch loss {batch}{mu}{sim}");
            if (_task is { } task)
            {
                if (bounded) { task.MaxValue = r.UpdateLimit; task.Value = Math.Min(r.Update, r.UpdateLimit); }
                else { task.IsIndeterminate = true; task.Value = r.Update; }
                string shortAcc = _lastAccuracy is double b ? string.Create(CultureInfo.InvariantCulture, $" acc {100 * b:F1}%") : "";
                task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"loss {_lastLoss:G4}{shortAcc}{mu}{sim}"));
                return;
            }
            if (!r.IsEvaluation || (_sinceLine.Elapsed.TotalSeconds < 2 && r.Update != 0)) return;
            string done = bounded ? string.Create(CultureInfo.InvariantCulture, $"/{r.UpdateLimit} {100.0 * r.Update / r.UpdateLimit,5:F1}%") : "";
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"update {r.Update}{done}  {loss}  {r.WallSeconds:F1}s{Eta(r)}"));
            _sinceLine.Restart();
        }
    }

    /// <summary>The updates done and, when the run has a limit, the total.</summary>
    private sealed class UpdatesColumn : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.IsIndeterminate
                ? string.Create(CultureInfo.InvariantCulture, $"update {task.Value:N0}")
                : string.Create(CultureInfo.InvariantCulture, $"update {task.Value:N0}/{task.MaxValue:N0} {task.Percentage,3:F0}%"));
    }

    /// <summary>" ETA 12.3s" from the update rate since the first report, or nothing when the run has no update limit or no rate yet.</summary>
    private string Eta(ProgressReport r)
    {
        if (r.UpdateLimit == long.MaxValue || r.Update <= _firstUpdate) return "";
        double rate = (r.Update - _firstUpdate) / Math.Max(1e-9, _elapsed.Elapsed.TotalSeconds);
        double seconds = (r.UpdateLimit - r.Update) / rate;
        return double.IsFinite(seconds) ? string.Create(CultureInfo.InvariantCulture, $" ETA {seconds:F1}s") : "";
    }
}
