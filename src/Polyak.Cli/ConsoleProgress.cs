using System.Diagnostics;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>
/// Live progress on stderr: an updating status line on a terminal, plain lines (evaluations, at most one every
/// two seconds) when stderr is redirected.
/// </summary>
public sealed class ConsoleProgress : IProgress<ProgressReport>
{
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private readonly object _lock = new();
    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private double _lastLoss = double.NaN;
    private double? _lastAccuracy;
    private bool _dirty;

    /// <inheritdoc/>
    public void Report(ProgressReport r)
    {
        lock (_lock)
        {
            if (r.IsEvaluation) { _lastLoss = r.EvalLoss; _lastAccuracy = r.EvalAccuracy; }
            string limit = r.UpdateLimit == long.MaxValue ? "" : $"/{r.UpdateLimit}";
            string pct = r.UpdateLimit == long.MaxValue ? "" : $" {100.0 * r.Update / r.UpdateLimit,5:F1}%";
            string sim = r.SimulatedSeconds is double s ? $" sim {s:F1}s" : "";
            string acc = _lastAccuracy is double a ? $" acc {a:P1}" : "";
            string mu = double.IsNaN(r.Momentum) ? "" : $" mu {r.Momentum:F2}";
            string batch = double.IsNaN(r.BatchLoss) ? "-" : r.BatchLoss.ToString("G4");
            string line = $"update {r.Update}{limit}{pct}  eval loss {_lastLoss:G4}{acc}  batch loss {batch}{mu}  {r.WallSeconds:F1}s{sim}";
            if (_interactive)
            {
                Console.Error.Write("\r" + line.PadRight(Math.Max(0, Math.Min(Console.BufferWidth, 160) - 1)));
                _dirty = true;
            }
            else if (r.IsEvaluation && (_sinceLine.Elapsed.TotalSeconds >= 2 || r.Update == 0))
            {
                Console.Error.WriteLine(line);
                _sinceLine.Restart();
            }
        }
    }

    /// <summary>Ends the status line.</summary>
    public void Finish()
    {
        lock (_lock)
        {
            if (_dirty) Console.Error.WriteLine();
            _dirty = false;
        }
    }
}
