namespace Polyak.Execution;

/// <summary>
/// Writes a run folder: <c>run.json</c> (the whole <see cref="RunRecord"/>), <c>curve.csv</c> (one row per evaluation),
/// <c>staleness.csv</c> (the histogram) and, with closed-loop momentum, <c>momentum.csv</c> (one row per control period),
/// each atomically, then whatever the <see cref="Artifacts"/> add (figures).
/// </summary>
public sealed class RunFolderWriter
{
    /// <summary>Further writers run after the record (figures, ...).</summary>
    public IReadOnlyList<IRunArtifactWriter> Artifacts { get; init; } = [];

    /// <summary>Writes the folder (created if needed).</summary>
    public void Write(string dir, RunRecord record)
    {
        Directory.CreateDirectory(dir);
        Json.WriteFileAtomic(Path.Combine(dir, "run.json"), record);
        CurveCsv(record).WriteTo(Path.Combine(dir, "curve.csv"));
        StalenessCsv(record.Summary.Staleness.Histogram).WriteTo(Path.Combine(dir, "staleness.csv"));
        if (record.AutoMomentum is { } auto) MomentumCsv(auto).WriteTo(Path.Combine(dir, "momentum.csv"));
        foreach (var artifact in Artifacts) artifact.Write(dir, record);
    }

    /// <summary>
    /// The loss curve: update, wall and simulated seconds, evaluation loss and accuracy, the explicit momentum in force,
    /// and with an accuracy target the held-out accuracy and the evaluation seconds excluded from the clock so far.
    /// </summary>
    public static CsvWriter CurveCsv(RunRecord record)
    {
        var csv = CurveWriter();
        foreach (var p in record.Curve) CurveRow(csv, p);
        return csv;
    }

    /// <summary>A curve.csv writer with its header.</summary>
    public static CsvWriter CurveWriter() =>
        new("update", "wall_seconds", "simulated_seconds", "loss", "accuracy", "momentum", "held_out_accuracy", "excluded_seconds");

    /// <summary>One curve.csv row.</summary>
    public static void CurveRow(CsvWriter csv, EvalPoint p) =>
        csv.Integer(p.Update).Number(p.WallSeconds).Number(p.SimulatedSeconds).Number(p.Loss, "G7").Number(p.Accuracy, "G5").Number(p.Momentum, "G5")
            .Number(p.HeldOutAccuracy, "G5").Number(p.ExcludedSeconds).EndRow();

    /// <summary>Closed-loop momentum control: per period the explicit momentum set, the total and implicit momentum it steered on (empty before an estimate), the target, and where the implicit value came from.</summary>
    public static CsvWriter MomentumCsv(Optimization.AutoMomentumRecord record)
    {
        var csv = new CsvWriter("update", "explicit", "total", "implicit", "target", "implicit_from");
        foreach (var p in record.Series)
            csv.Integer(p.Update).Number(p.Explicit).Number(p.Total).Number(p.Implicit).Number(record.Target)
                .Text(double.IsNaN(p.Implicit) ? "" : p.FromStaleness ? "staleness" : "trajectory").EndRow();
        return csv;
    }

    /// <summary>The staleness histogram: one row per staleness value up to the largest seen.</summary>
    public static CsvWriter StalenessCsv(IReadOnlyList<long> histogram)
    {
        var csv = new CsvWriter("staleness", "count");
        for (int l = 0; l < histogram.Count; l++) csv.Integer(l).Integer(histogram[l]).EndRow();
        return csv;
    }
}
