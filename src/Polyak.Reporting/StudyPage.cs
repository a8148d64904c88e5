using System.Globalization;
using System.Net;
using System.Text;
using Polyak.Execution;
using Polyak.Tuning;

namespace Polyak.Reporting;

/// <summary>The study report's page (<c>index.html</c>): the settings, the automatic reading, the tables and the figures.</summary>
public static class StudyPage
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private static string N(double x, string format = "G6") => double.IsNaN(x) ? "" : x.ToString(format, C);

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>The page of <paramref name="study"/>.</summary>
    public static string Html(StudyResult study)
    {
        var cfg = study.Config;
        var sb = new StringBuilder();
        sb.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Polyak momentum study</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
            h1{font-size:1.6em} h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
            table{border-collapse:collapse;margin:0.6em 0;font-size:0.9em} th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
            th{background:#f3f3f3} td.l{text-align:left} .reading li{margin:0.3em 0}
            figure{margin:1em 0} figure img{max-width:100%;border:1px solid #eee} figcaption{font-size:0.9em;color:#555}
            .grid{display:flex;flex-wrap:wrap;gap:12px} .grid figure{width:48%;margin:0} code{background:#f5f5f5;padding:0 3px}
            </style></head><body>
            """);
        sb.Append(C, $"<h1>Momentum study: asynchrony begets momentum</h1>\n");
        sb.Append(C, $"<p>Preset <b>{E(study.Preset)}</b>: model <code>{E(cfg.Model)}</code> on <code>{E(cfg.Data)}</code>, backend <code>{E(cfg.Backend)}</code>, N = {cfg.Workers} workers, batch {cfg.Batch}, target evaluation loss {N(cfg.TargetLoss ?? double.NaN)}, budget {study.Budget} updates per run, evaluation every {study.EvalEvery} updates. ");
        sb.Append(C, $"Grid: learning rates {E(string.Join(", ", study.LearningRates.Select(x => x.ToString("G3", C))))}; momenta {E(string.Join(", ", study.Momenta.Select(x => x.ToString("0.##", C))))}; seeds {E(string.Join(", ", study.Seeds))}. ");
        sb.Append(C, $"Cost: {study.RunsExecuted} runs executed, {study.RunsReused} reused from the journal, {study.RunsPruned} pruned; {study.CostSeconds:F1} s of run time, {study.WallSeconds:F1} s wall.</p>\n");

        sb.Append("<h2>Reading</h2>\n<ul class=\"reading\">\n");
        foreach (string line in study.Reading) sb.Append("<li>").Append(E(line)).Append("</li>\n");
        sb.Append("</ul>\n");

        sb.Append("<h2>Best configuration and statistical penalty per level</h2>\n<table><tr><th>g</th><th>best lr</th><th>best mu</th><th>updates to target</th><th>spread (seeds)</th><th>95 % interval (bootstrap)</th><th>best mu interval</th><th>penalty mu=0.9</th><th>penalty mu&ge;0</th><th>penalty incl. negative</th><th>implicit 1-1/g</th><th>predicted explicit</th><th>mean staleness</th></tr>\n");
        foreach (var l in study.Levels)
        {
            string spread = l.UpdatesMin is double mn && l.UpdatesMax is double mx ? $"{mn:G6}&ndash;{mx:G6}" : "";
            string upd = l.Status == TrialResult.Censored ? $"{study.Budget}+" : N(l.UpdatesToTarget);
            sb.Append(C, $"<tr><td>{l.Groups}</td><td>{N(l.BestLr, "G3")}</td><td>{N(l.BestMomentum, "0.##")}</td><td>{upd}</td><td>{spread}</td><td>{Ci(l.Intervals?.UpdatesToTarget)}</td><td>{Ci(l.Intervals?.BestMomentum)}</td><td>{Pen(l.Fixed09)}</td><td>{Pen(l.Nonneg)}</td><td>{Pen(l.WithNegative)}</td><td>{N(l.ImplicitMomentum, "0.###")}</td><td>{N(l.PredictedExplicitMomentum, "0.###")}</td><td>{N(l.StalenessMean, "0.##")}</td></tr>\n");
        }
        sb.Append("</table>\n");

        sb.Append("<h2>Policies</h2>\n<table><tr><th>g</th><th>policy</th><th>lr</th><th>mu</th><th>updates to target</th><th>status</th><th>penalty</th></tr>\n");
        foreach (var l in study.Levels)
            foreach (var (name, p) in new[] { ("mu fixed 0.9", l.Fixed09), ("mu tuned, mu >= 0", l.Nonneg), ("mu tuned incl. negative", l.WithNegative) })
                sb.Append(C, $"<tr><td>{l.Groups}</td><td class=\"l\">{E(name)}</td><td>{N(p.LearningRate, "G3")}</td><td>{N(p.Momentum, "0.##")}</td><td>{(p.Status == TrialResult.Censored ? N(p.UpdatesToTarget) + "+" : N(p.UpdatesToTarget))}</td><td class=\"l\">{p.Status}</td><td>{Pen(p)}</td></tr>\n");
        sb.Append("</table>\n");

        if (study.PolicyComparison.Count > 0)
        {
            sb.Append("<h2>Server-side staleness policies against momentum tuning</h2>\n<p>Each policy's grid tuned like the study's own; <em>alone</em>: momentum fixed at 0; <em>with momentum tuned</em>: the best point over the momentum grid. Penalty relative to the plain rule's best synchronous run; predicted time = updates (dropped ones included) x time per update. Brackets: 95 % bootstrap interval over seeds.</p>\n<table><tr><th>policy</th><th>g</th><th>alone: updates</th><th>alone: penalty</th><th>tuned: lr</th><th>tuned: mu</th><th>tuned: updates</th><th>interval</th><th>tuned: penalty</th><th>predicted time</th></tr>\n");
            foreach (var r in study.PolicyComparison)
                sb.Append(C, $"<tr><td class=\"l\">{E(r.Policy)}</td><td>{r.Groups}</td><td>{Upd(r.MomentumZero)}</td><td>{Pen(r.MomentumZero)}</td><td>{N(r.MomentumTuned.LearningRate, "G3")}</td><td>{N(r.MomentumTuned.Momentum, "0.##")}</td><td>{Upd(r.MomentumTuned)}</td><td>{Ci(r.TunedInterval)}</td><td>{Pen(r.MomentumTuned)}</td><td>{(r.MomentumTuned.Reached ? "" : "&ge;")}{N(r.PredictedTimeTuned, "G4")}</td></tr>\n");
            sb.Append("</table>\n");
        }

        if (study.AutoMomentum.Count > 0)
        {
            sb.Append(C, $"<h2>Auto momentum against the tuned optimum</h2>\n<p><code>--momentum auto:{N(study.AutoMomentum[0].Target, "0.###")}</code> (the target is the best momentum at g = 1) with only the learning rate searched, against the full learning-rate x momentum tune. Ratio: auto's updates to target / the tuned optimum's; brackets: 95 % bootstrap interval over seeds (the same seed draw for both).</p>\n<table><tr><th>g</th><th>auto: lr</th><th>auto: updates</th><th>tuned: lr</th><th>tuned: mu</th><th>tuned: updates</th><th>ratio</th><th>interval</th><th>auto at the tuned lr</th><th>runs (auto / tuned)</th></tr>\n");
            foreach (var r in study.AutoMomentum)
                sb.Append(C, $"<tr><td>{r.Groups}</td><td>{N(r.Auto.LearningRate, "G3")}</td><td>{Upd(r.Auto)}</td><td>{N(r.Tuned.LearningRate, "G3")}</td><td>{N(r.Tuned.Momentum, "0.##")}</td><td>{Upd(r.Tuned)}</td><td>{(r.Auto.Reached ? "" : "&ge;")}{N(r.Ratio, "0.00")}</td><td>{Ci(r.RatioInterval)}</td><td>{(r.AutoAtTunedRate is { } a ? Upd(a) : "")}</td><td>{r.AutoRuns} / {r.TunedRuns}</td></tr>\n");
            sb.Append("</table>\n");
        }

        sb.Append("<h2>Hardware efficiency and predicted time to target</h2>\n<table><tr><th>g</th><th>time per update</th><th>unit</th><th>relative to sync</th><th>updates to target</th><th>predicted time to target</th></tr>\n");
        foreach (var l in study.Levels)
            sb.Append(C, $"<tr><td>{l.Groups}</td><td>{N(l.TimePerUpdate, "G4")}</td><td class=\"l\">{E(l.TimeUnit)}</td><td>{N(l.HardwareEfficiency, "0.###")}</td><td>{(l.Status == TrialResult.Censored ? N(l.UpdatesToTarget) + "+" : N(l.UpdatesToTarget))}</td><td>{(l.Status == TrialResult.Censored ? "&ge;" : "")}{N(l.PredictedTimeToTarget, "G4")}</td></tr>\n");
        sb.Append("</table>\n");

        sb.Append("<h2>Figures</h2>\n");
        Figure(sb, "momentum", "(i) Best explicit momentum (blue) and the implicit momentum 1 - 1/g predicted by the queueing model (orange, stacked on a non-negative explicit bar, from zero when the explicit momentum is negative); diamonds: total = explicit + implicit; black line: the best synchronous momentum, the total the theory says is optimal.");
        Figure(sb, "penalty", "(ii) Statistical penalty (updates to target / best synchronous run's) per level for the three momentum policies; an open marker with an arrow is censored (no run reached the target), a lower bound.");
        Figure(sb, "curves", "(iii) Evaluation loss vs updates of the best run of each level.");
        if (study.PolicyComparison.Count > 0)
            Figure(sb, "policy-comparison", "(v) Updates to target per level for each staleness policy: momentum tuned (solid, vertical bar: 95 % bootstrap interval over seeds) and the policy alone with mu = 0 (dashed); open markers with arrows are censored, lower bounds.");
        Figure(sb, "momentum-theory", "(iv) The best explicit momentum per level (blue; bar: 95 % bootstrap interval over seeds, none with one seed) against the theory's prediction, the best synchronous momentum minus the implicit momentum 1 - 1/g (orange, dashed).");
        sb.Append("<h2>Heat maps of updates to target over the (lr, mu) grid</h2>\n<p>Cells: median updates to target; <code>N+</code> censored (not reached within the budget), <code>div</code> diverged, <code>pruned</code> not run (the same momentum diverged at a smaller learning rate, on every seed). Red border: the best point.</p>\n<div class=\"grid\">\n");
        foreach (var l in study.Levels)
            if (l.Tuning is { Points.Count: > 0 })
                sb.Append(C, $"<figure><a href=\"heatmap-g{l.Groups}.svg\"><img src=\"heatmap-g{l.Groups}.png\" alt=\"heat map g={l.Groups}\"></a><figcaption>g = {l.Groups}</figcaption></figure>\n");
        sb.Append("</div>\n<h2>Files</h2>\n<p><a href=\"study.json\">study.json</a> · <a href=\"levels.csv\">levels.csv</a> · <a href=\"policies.csv\">policies.csv</a> · <a href=\"grid.csv\">grid.csv</a> · <a href=\"curves.csv\">curves.csv</a> · <a href=\"tune.jsonl\">tune.jsonl</a> (every run)</p>\n");
        sb.Append(C, $"<p style=\"color:#888;font-size:0.8em\">Polyak {E(PolyakVersion.Current)}</p>\n</body></html>\n");
        return sb.ToString();
    }

    private static string Upd(PolicyChoice p) => p.Status == TrialResult.Censored ? N(p.UpdatesToTarget) + "+" : N(p.UpdatesToTarget);

    private static string Ci(BootstrapInterval? x) => x is null ? "" : E(x.Text);

    private static string Pen(PolicyChoice p) =>
        double.IsNaN(p.Penalty) ? "n/a" : (p.Status == TrialResult.Censored ? "&ge;" : "") + p.Penalty.ToString("0.00", C);

    private static void Figure(StringBuilder sb, string name, string caption) =>
        sb.Append(C, $"<figure><a href=\"{name}.svg\"><img src=\"{name}.png\" alt=\"{E(name)}\"></a><figcaption>{E(caption)}</figcaption></figure>\n");
}
