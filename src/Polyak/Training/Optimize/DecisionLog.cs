using System.Globalization;
using Polyak.Execution;

namespace Polyak.Training;

/// <summary>
/// The decisions of one optimize run, in order, each echoed to the log as it is made and, when <paramref name="path"/>
/// is given, written to that <c>decisions.csv</c> at once (rewritten whole, atomically: a killed optimize keeps every
/// decision made so far).
/// </summary>
public sealed class DecisionLog(Action<string>? log = null, string? path = null)
{
    private readonly List<OptimizeDecision> _items = [];

    /// <summary>Every decision so far.</summary>
    public IReadOnlyList<OptimizeDecision> Items => _items;

    /// <summary>The momentum of the latest chosen configuration (cold-start choice or re-tune), NaN before one.</summary>
    public double CurrentMomentum => _items.LastOrDefault(d => d.Chosen && d.Phase is "choose" or "retune")?.Momentum ?? double.NaN;

    /// <summary>Records a decision.</summary>
    public void Add(string phase, int groups, double lr, double mu, string measure, double value, bool chosen, string reason)
    {
        _items.Add(new OptimizeDecision(phase, groups, lr, mu, measure, value, chosen, reason));
        static string Num(double x, string format) => double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "-";
        log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"  [{phase}] g={groups} lr={Num(lr, "G4")} mu={Num(mu, "G3")} {measure}={Num(value, "G4")}{(chosen ? " *" : "")} {reason}"));
        if (path is not null) ToCsv().WriteTo(path);
    }

    /// <summary>The decisions as <c>decisions.csv</c> (empty cells for values a phase does not have, e.g. a probe's lr and mu).</summary>
    public CsvWriter ToCsv()
    {
        var csv = new CsvWriter("phase", "groups", "lr", "momentum", "measure", "value", "chosen", "reason");
        foreach (var d in _items)
            csv.Text(d.Phase).Integer(d.Groups).Number(d.LearningRate).Number(d.Momentum).Text(d.Measure).Number(d.Value).Boolean(d.Chosen).Text(d.Reason).EndRow();
        return csv;
    }
}
