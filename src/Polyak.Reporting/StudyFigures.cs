using System.Globalization;
using Polyak.Tuning;
using ScottPlot;

namespace Polyak.Reporting;

/// <summary>
/// The study's figures, each saved as PNG and SVG: stacked momentum bars, penalty curves, the best runs' loss
/// curves, and a heat map of updates to target over the (lr, mu) grid per level.
/// </summary>
public static class StudyFigures
{
    private const int Width = 820;
    private const int Height = 480;
    private static readonly Color Blue = Color.FromHex("#1f77b4");
    private static readonly Color Orange = Color.FromHex("#ff7f0e");
    private static readonly Color Green = Color.FromHex("#2ca02c");
    private static readonly Color Red = Color.FromHex("#d62728");
    private static readonly Color[] Palette =
        [Blue, Orange, Green, Red, Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f")];

    /// <summary>Saves <paramref name="plot"/> as <c>name.png</c> and <c>name.svg</c> in <paramref name="dir"/>.</summary>
    public static void Save(Plot plot, string dir, string name, int width = Width, int height = Height)
    {
        plot.SavePng(Path.Combine(dir, name + ".png"), width, height);
        plot.SaveSvg(Path.Combine(dir, name + ".svg"), width, height);
    }

    /// <summary>A censored value (a lower bound): an open marker at (x, y) with an arrow up to y x <paramref name="rise"/>.</summary>
    private static void BoundMarker(Plot plot, double x, double y, Color color, MarkerShape open, float size, double rise)
    {
        var m = plot.Add.Marker(x, y, open, size);
        m.Color = color;
        var arrow = plot.Add.Arrow(new Coordinates(x, y), new Coordinates(x, y * rise));
        arrow.ArrowLineColor = color;
        arrow.ArrowFillColor = color;
    }

    private static void LevelTicks(Plot plot, IReadOnlyList<StudyLevel> levels)
    {
        double[] positions = Enumerable.Range(0, levels.Count).Select(i => (double)i).ToArray();
        string[] labels = levels.Select(l => $"g={l.Groups}").ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.XLabel("asynchrony level (compute groups g)");
    }

    /// <summary>
    /// (iv) Measured best explicit momentum per level with its 95 % bootstrap interval over seeds (vertical bars; none
    /// with one seed), against the theory's prediction: the best synchronous momentum minus the implicit 1 - 1/g.
    /// </summary>
    public static void MomentumTheory(StudyResult study, string dir)
    {
        var plot = new Plot();
        var levels = study.Levels;
        var predicted = plot.Add.Scatter(levels.Select((_, i) => (double)i).ToArray(), levels.Select(l => l.PredictedExplicitMomentum).ToArray());
        predicted.Color = Orange;
        predicted.LineWidth = 2;
        predicted.LinePattern = LinePattern.Dashed;
        predicted.MarkerSize = 0;
        for (int i = 0; i < levels.Count; i++)
            if (levels[i].Intervals?.BestMomentum is { Degenerate: false } ci)
            {
                var bar = plot.Add.Line(i, ci.Lower, i, ci.Upper);
                bar.Color = Blue;
                bar.LineWidth = 3;
            }
        var measured = levels.Select((l, i) => (X: (double)i, Y: l.BestMomentum)).Where(t => double.IsFinite(t.Y)).ToArray();
        var m = plot.Add.Scatter(measured.Select(t => t.X).ToArray(), measured.Select(t => t.Y).ToArray());
        m.LineWidth = 0;
        m.MarkerShape = MarkerShape.FilledCircle;
        m.MarkerSize = 10;
        m.Color = Blue;
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = Colors.Gray;
        LevelTicks(plot, levels);
        plot.YLabel("explicit momentum");
        plot.Title("Optimal explicit momentum: measured (95 % interval over seeds) and predicted");
        plot.ShowLegend([
            new LegendItem { LabelText = "measured best (bar: 95 % bootstrap interval)", MarkerColor = Blue, MarkerShape = MarkerShape.FilledCircle, MarkerSize = 10 },
            new LegendItem { LabelText = "predicted: best sync mu - (1 - 1/g)", LineColor = Orange, LineWidth = 2 },
        ], Alignment.LowerLeft);
        Save(plot, dir, "momentum-theory");
    }

    /// <summary>(i) Stacked bars: best explicit momentum and the predicted implicit momentum 1 - 1/g per level.</summary>
    public static void Momentum(StudyResult study, string dir)
    {
        var plot = new Plot();
        var levels = study.Levels;
        var bars = new List<Bar>();
        for (int i = 0; i < levels.Count; i++)
        {
            var l = levels[i];
            if (!double.IsFinite(l.BestMomentum)) continue;
            // Stacked on top of a non-negative explicit bar; from zero upwards when the explicit bar points down.
            double start = Math.Max(0, l.BestMomentum);
            bars.Add(new Bar { Position = i, ValueBase = start, Value = start + l.ImplicitMomentum, FillColor = Orange, Size = 0.6 });
            bars.Add(new Bar { Position = i, ValueBase = 0, Value = l.BestMomentum, FillColor = Blue, Size = 0.6 });
        }
        plot.Add.Bars(bars);
        var totals = levels.Select((l, i) => (X: (double)i, Y: l.TotalMomentum)).Where(t => double.IsFinite(t.Y)).ToArray();
        var total = plot.Add.Scatter(totals.Select(t => t.X).ToArray(), totals.Select(t => t.Y).ToArray());
        total.LineWidth = 0;
        total.MarkerShape = MarkerShape.FilledDiamond;
        total.MarkerSize = 11;
        total.Color = Colors.Black;
        double syncMu = levels.Count > 0 ? levels[0].BestMomentum : double.NaN;
        if (double.IsFinite(syncMu))
        {
            var line = plot.Add.HorizontalLine(syncMu);
                        line.Color = Colors.Black;
        }
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = Colors.Gray;
        LevelTicks(plot, levels);
        plot.YLabel("momentum");
        plot.Title("Best explicit momentum (blue) and implicit momentum 1 - 1/g (orange)");
        plot.ShowLegend([
            new LegendItem { LabelText = "explicit (tuned)", FillColor = Blue },
            new LegendItem { LabelText = "implicit 1 - 1/g (theory)", FillColor = Orange },
            new LegendItem { LabelText = "total = explicit + implicit", MarkerColor = Colors.Black, MarkerShape = MarkerShape.FilledDiamond, MarkerSize = 10 },
            new LegendItem { LabelText = "best synchronous momentum", LineColor = Colors.Black, LineWidth = 2 },
        ], Alignment.LowerLeft);
        Save(plot, dir, "momentum");
    }

    /// <summary>
    /// (ii) Statistical penalty per level for the three momentum policies. Measured penalties are filled markers on a
    /// line; a censored one (no run reached the target: the penalty is a lower bound) is an open marker with an upward
    /// arrow, off the line.
    /// </summary>
    public static void Penalty(StudyResult study, string dir)
    {
        var plot = new Plot();
        var levels = study.Levels;
        bool anyBound = false;
        void Curve(Func<StudyLevel, PolicyChoice> choice, string label, Color color, MarkerShape shape, MarkerShape open)
        {
            var measured = levels.Select((l, i) => (X: (double)i, P: choice(l))).Where(p => p.P.Reached && double.IsFinite(p.P.Penalty)).ToArray();
            var s = plot.Add.Scatter(measured.Select(p => p.X).ToArray(), measured.Select(p => p.P.Penalty).ToArray());
            s.LegendText = label;
            s.Color = color;
            s.LineWidth = 2;
            s.MarkerSize = 8;
            s.MarkerShape = shape;
            foreach (var (x, p) in levels.Select((l, i) => ((double)i, choice(l))).Where(p => !p.Item2.Reached && double.IsFinite(p.Item2.Penalty)))
            {
                anyBound = true;
                BoundMarker(plot, x, p.Penalty, color, open, 9, 1.25);
            }
        }
        Curve(l => l.Fixed09, "mu fixed at 0.9 (lr tuned)", Red, MarkerShape.FilledCircle, MarkerShape.OpenCircle);
        Curve(l => l.Nonneg, "mu tuned over mu >= 0", Blue, MarkerShape.FilledSquare, MarkerShape.OpenSquare);
        Curve(l => l.WithNegative, "mu tuned incl. negative", Green, MarkerShape.FilledDiamond, MarkerShape.OpenDiamond);
        if (anyBound)
        {
            var note = plot.Add.Text("open marker with arrow: censored, a lower bound", 0, 0);
            note.LabelFontSize = 11;
            note.LabelFontColor = Colors.Gray;
        }
        var one = plot.Add.HorizontalLine(1);
        one.Color = Colors.Gray;
                LevelTicks(plot, levels);
        plot.YLabel("statistical penalty (updates to target / best sync)");
        plot.Title("Statistical penalty of asynchrony per momentum policy");
        plot.ShowLegend(Alignment.UpperLeft);
        Save(plot, dir, "penalty");
    }

    /// <summary>
    /// (v) <c>study --policies</c>: updates to target per level for each staleness policy with the momentum tuned (solid,
    /// with its 95 % bootstrap interval over seeds as a vertical bar, offset a little per policy so bars do not overlap)
    /// and alone, momentum fixed at 0 (dashed). A censored point (a lower bound) is an open marker with an upward arrow.
    /// </summary>
    public static void PolicyComparison(StudyResult study, string dir)
    {
        var rows = study.PolicyComparison;
        if (rows.Count == 0) return;
        var plot = new Plot();
        var levels = study.Levels;
        var index = levels.Select((l, i) => (l.Groups, i)).ToDictionary(t => t.Groups, t => t.i);
        string[] policies = rows.Select(r => r.Policy).Distinct().ToArray();
        bool anyBound = false;
        for (int k = 0; k < policies.Length; k++)
        {
            var color = Palette[k % Palette.Length];
            double offset = (k - (policies.Length - 1) / 2.0) * 0.06;
            var mine = rows.Where(r => r.Policy == policies[k] && index.ContainsKey(r.Groups)).OrderBy(r => r.Groups).ToArray();
            void Series(Func<PolicyComparisonRow, PolicyChoice> choice, bool tuned)
            {
                var reached = mine.Where(r => choice(r).Reached).ToArray();
                var line = plot.Add.Scatter(reached.Select(r => index[r.Groups] + offset).ToArray(), reached.Select(r => choice(r).UpdatesToTarget).ToArray());
                line.Color = color;
                line.LineWidth = tuned ? 2 : 1;
                line.LinePattern = tuned ? LinePattern.Solid : LinePattern.Dashed;
                line.MarkerSize = tuned ? 7 : 4;
                line.LegendText = tuned ? $"{policies[k]}, momentum tuned" : $"{policies[k]} alone (mu = 0)";
                foreach (var r in mine.Where(r => !choice(r).Reached && double.IsFinite(choice(r).UpdatesToTarget)))
                {
                    anyBound = true;
                    BoundMarker(plot, index[r.Groups] + offset, choice(r).UpdatesToTarget, color, MarkerShape.OpenCircle, 8, 1.2);
                }
            }
            Series(r => r.MomentumTuned, tuned: true);
            Series(r => r.MomentumZero, tuned: false);
            foreach (var r in mine)
                if (r.TunedInterval is { Degenerate: false } ci)
                {
                    var bar = plot.Add.Line(index[r.Groups] + offset, ci.Lower, index[r.Groups] + offset, ci.Upper);
                    bar.Color = color;
                    bar.LineWidth = 2;
                }
        }
        if (anyBound)
        {
            var note = plot.Add.Text("open marker with arrow: censored, a lower bound", 0, 0);
            note.LabelFontSize = 11;
            note.LabelFontColor = Colors.Gray;
        }
        LevelTicks(plot, levels);
        plot.YLabel("median updates to target");
        plot.Title("Staleness policies: tuned (solid, 95 % interval bars) and alone (dashed)");
        plot.ShowLegend(Alignment.UpperLeft);
        Save(plot, dir, "policy-comparison");
    }

    /// <summary>(iii) Evaluation loss vs updates of the best run of each level (log10 loss).</summary>
    public static void Curves(StudyResult study, string dir)
    {
        var plot = new Plot();
        for (int i = 0; i < study.Levels.Count; i++)
        {
            var l = study.Levels[i];
            var run = l.BestPoint?.Median;
            if (run is null || run.CurveUpdates.Length == 0) continue;
            var pts = run.CurveUpdates.Zip(run.CurveLoss).Where(p => p.Second > 0 && double.IsFinite(p.Second)).ToArray();
            if (pts.Length == 0) continue;
            var s = plot.Add.Scatter(pts.Select(p => (double)p.First).ToArray(), pts.Select(p => Math.Log10(p.Second)).ToArray());
            s.LegendText = string.Create(CultureInfo.InvariantCulture, $"g={l.Groups}: lr {l.BestLr:G3}, mu {l.BestMomentum:0.##}, seed {run.Seed}");
            s.Color = Palette[i % Palette.Length];
            s.LineWidth = 2;
            s.MarkerSize = 0;
        }
        if (study.Config.TargetLoss is double target && target > 0)
        {
            var t = plot.Add.HorizontalLine(Math.Log10(target));
                        t.Color = Colors.Black;
            t.LegendText = string.Create(CultureInfo.InvariantCulture, $"target {target:G4}");
        }
        plot.XLabel("updates");
        plot.YLabel("log10 evaluation loss");
        plot.Title("Loss vs updates of the best point per level (its median seed)");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, dir, "curves");
    }

    /// <summary>(iv) Heat map of median updates to target over the (lr, mu) grid of one tune.</summary>
    public static void Heatmap(TuningResult tuning, string dir, string name, string title)
    {
        var plot = new Plot();
        double[] lrs = tuning.Points.Select(p => p.LearningRate).Distinct().Order().ToArray();
        double[] mus = tuning.Points.Select(p => p.Momentum).Distinct().Order().ToArray();
        var reached = tuning.Points.Where(p => p.Status == TrialResult.Reached).Select(p => Math.Log(p.Score + 1)).ToArray();
        double lo = reached.Length > 0 ? reached.Min() : 0, hi = reached.Length > 0 ? reached.Max() : 1;
        var colormap = new ScottPlot.Colormaps.Viridis();
        var best = tuning.Best;
        foreach (var p in tuning.Points)
        {
            int x = Array.IndexOf(mus, p.Momentum), y = Array.IndexOf(lrs, p.LearningRate);
            Color fill = p.Status switch
            {
                TrialResult.Reached => colormap.GetColor(hi > lo ? 0.95 - 0.9 * (Math.Log(p.Score + 1) - lo) / (hi - lo) : 0.5),
                TrialResult.Censored => Color.FromHex("#f2e6d9"),
                TrialResult.Pruned => Color.FromHex("#e0e0e0"),
                _ => Color.FromHex("#a0a0a0"),
            };
            var rect = plot.Add.Rectangle(x - 0.5, x + 0.5, y - 0.5, y + 0.5);
            rect.FillColor = fill;
            rect.LineColor = Colors.White;
            rect.LineWidth = 1;
            var text = plot.Add.Text(p.ScoreText, x, y);
            text.LabelAlignment = Alignment.MiddleCenter;
            text.LabelFontSize = 12;
            text.LabelFontColor = p.Status == TrialResult.Reached && hi > lo && (Math.Log(p.Score + 1) - lo) / (hi - lo) > 0.5 ? Colors.White : Colors.Black;
        }
        if (best is not null)
        {
            // The best cell's border is drawn last so no neighbour covers it.
            int bx = Array.IndexOf(mus, best.Momentum), by = Array.IndexOf(lrs, best.LearningRate);
            var frame = plot.Add.Rectangle(bx - 0.47, bx + 0.47, by - 0.45, by + 0.45);
            frame.FillColor = Colors.Transparent;
            frame.LineColor = Red;
            frame.LineWidth = 3;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, mus.Length).Select(i => (double)i).ToArray(), mus.Select(m => m.ToString("0.##", CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, lrs.Length).Select(i => (double)i).ToArray(), lrs.Select(l => l.ToString("G3", CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimits(-0.5, mus.Length - 0.5, -0.5, lrs.Length - 0.5);
        plot.XLabel("explicit momentum mu");
        plot.YLabel("learning rate");
        plot.Title(title);
        Save(plot, dir, name, 640, 420);
    }
}
