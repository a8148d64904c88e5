using System.Globalization;
using System.Text.Json;
using Polyak.Execution;

namespace Polyak.Reporting;

/// <summary>A run's configuration and outcome as ordered (name, value) rows, for the run page and the comparison table.</summary>
internal static class RunFacts
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Every configuration setting (nested ones as <c>simulation.distribution</c>), null settings left out.</summary>
    public static List<KeyValuePair<string, string>> Config(RunRecord r) =>
        Json.Flatten(JsonSerializer.SerializeToElement(r.Config, Json.Indented)).Where(kv => kv.Key != "out_dir").ToList();

    /// <summary>The outcome: status, updates, losses, accuracy, throughput, staleness, target.</summary>
    public static List<KeyValuePair<string, string>> Outcome(RunRecord r)
    {
        var s = r.Summary;
        var rows = new List<KeyValuePair<string, string>>
        {
            new("status", r.Status + (r.StopReason is { } why ? $" ({why})" : "")),
            new("updates", string.Create(C, $"{s.Updates:N0} ({s.Epochs:F2} epochs)")),
            new("evaluation loss", string.Create(C, $"{s.InitialLoss:G5} -> {s.FinalLoss:G5}")),
            new("test loss", double.IsFinite(s.TestLoss) ? s.TestLoss.ToString("G5", C) : "-"),
        };
        if (s.FinalAccuracy is double a) rows.Add(new("test accuracy", string.Create(C, $"{100 * a:F2} %")));
        rows.Add(new("training time", string.Create(C, $"{s.WallSeconds:F2} s wall (evaluation {s.EvalWallSeconds ?? s.EvalSeconds:F2} s excluded)")));
        if (s.SimulatedSeconds is double sim) rows.Add(new("simulated time", sim.ToString("G6", C)));
        rows.Add(new("throughput", string.Create(C, $"{s.UpdatesPerSecond:N0} updates/s, {s.SamplesPerSecond:N0} samples/s ({1e6 * s.SecondsPerUpdate:F1} us per update)")));
        rows.Add(new("staleness", string.Create(C, $"mean {s.Staleness.Mean:F2}, max {s.Staleness.Max}")));
        if (s.ReachedTarget is bool reached)
            rows.Add(new("target", reached
                ? string.Create(C, $"reached after {s.UpdatesToTarget:N0} updates, {s.TimeToTarget:G4} s") + (s.SimulatedTimeToTarget is double st ? string.Create(C, $" ({st:G4} simulated)") : "")
                : "not reached"));
        if (s.DroppedUpdates is long d) rows.Add(new("dropped updates", d.ToString("N0", C)));
        if (r.Resumes.Count > 0) rows.Add(new("resumes", string.Join("; ", r.Resumes.Select(x => string.Create(C, $"from update {x.FromUpdate:N0} ({x.Reason})")))));
        rows.Add(new("model", string.Create(C, $"{r.Model.Name}, {r.Model.Parameters:N0} parameters")));
        rows.Add(new("data", r.Data.Description));
        rows.Add(new("started (UTC)", r.StartedUtc.ToString("yyyy-MM-dd HH:mm:ss", C)));
        rows.Add(new("Polyak", r.PolyakVersion));
        return rows;
    }
}
