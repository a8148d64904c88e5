using System.Globalization;
using System.Net;
using System.Text;
using Polyak.Execution;
using Polyak.Tuning;

namespace Polyak.Reporting;

/// <summary>
/// Writes the study's report folder: <c>study.json</c>, CSV tables (<see cref="StudyTables"/>: levels, policies, grid,
/// curves), the figures as PNG and SVG (<see cref="StudyFigures"/>), and <c>index.html</c> (<see cref="StudyPage"/>).
/// </summary>
public static class StudyReport
{
    /// <summary>Writes the report into <paramref name="dir"/>; returns the full path of index.html.</summary>
    public static string Write(StudyResult study, string dir)
    {
        Directory.CreateDirectory(dir);
        Json.WriteFileAtomic(Path.Combine(dir, "study.json"), study);
        StudyTables.Levels(study).WriteTo(Path.Combine(dir, "levels.csv"));
        StudyTables.Policies(study).WriteTo(Path.Combine(dir, "policies.csv"));
        if (study.PolicyComparison.Count > 0) StudyTables.PolicyComparison(study).WriteTo(Path.Combine(dir, "policy-comparison.csv"));
        if (study.AutoMomentum.Count > 0) StudyTables.AutoMomentum(study).WriteTo(Path.Combine(dir, "auto-momentum.csv"));
        StudyTables.Grid(study.Levels.Where(l => l.Tuning is not null).Select(l => (l.Groups, l.Tuning!))).WriteTo(Path.Combine(dir, "grid.csv"));
        StudyTables.Curves(study).WriteTo(Path.Combine(dir, "curves.csv"));
        StudyFigures.Momentum(study, dir);
        StudyFigures.Penalty(study, dir);
        StudyFigures.MomentumTheory(study, dir);
        StudyFigures.Curves(study, dir);
        StudyFigures.PolicyComparison(study, dir);
        foreach (var l in study.Levels)
            if (l.Tuning is { Points.Count: > 0 } t)
                StudyFigures.Heatmap(t, dir, $"heatmap-g{l.Groups}", $"Updates to target, g = {l.Groups} (red: best)");
        string index = Path.Combine(dir, "index.html");
        AtomicFile.WriteText(index, StudyPage.Html(study));
        return Path.GetFullPath(index);
    }

    /// <summary>Writes a tune's grid table and heat map into <paramref name="dir"/>.</summary>
    public static void WriteTune(TuningResult tuning, string dir)
    {
        Directory.CreateDirectory(dir);
        int g = tuning.Request.Base.Groups ?? tuning.Request.Base.Workers;
        StudyTables.Grid([(g, tuning)]).WriteTo(Path.Combine(dir, "grid.csv"));
        if (tuning.Points.Count > 0)
            StudyFigures.Heatmap(tuning, dir, "heatmap", $"Updates to target, {tuning.Request.Base.Workers} workers in {g} group(s) (red: best)");
    }
}
