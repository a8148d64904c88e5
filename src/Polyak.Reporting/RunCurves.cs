using Polyak.Execution;

namespace Polyak.Reporting;

/// <summary>The series a run's figures draw, taken from its record: the loss and accuracy curves against updates and time.</summary>
internal static class RunCurves
{
    /// <summary>True when the run's clock is the simulator's (its summary has a simulated time).</summary>
    public static bool Simulated(RunRecord r) => r.Summary.SimulatedSeconds is not null;

    /// <summary>
    /// The time of each curve point: simulated time on the simulator (the start, recorded without one, is time 0; another
    /// point without one is NaN and not drawn), else training seconds (evaluation excluded when the run recorded it).
    /// </summary>
    public static double[] Time(RunRecord r)
    {
        bool simulated = Simulated(r);
        return r.Curve.Select(p => simulated
            ? p.SimulatedSeconds ?? (p.Update == 0 ? 0 : double.NaN)
            : p.WallSeconds - (p.ExcludedSeconds ?? 0)).ToArray();
    }

    /// <summary>The label of <see cref="Time"/>'s axis.</summary>
    public static string TimeLabel(RunRecord r) =>
        Simulated(r) ? "simulated time (mean compute times)"
        : r.Curve.Any(p => p.ExcludedSeconds is not null) ? "training seconds (evaluation excluded)" : "wall seconds";

    /// <summary>Updates of each curve point.</summary>
    public static double[] Updates(RunRecord r) => r.Curve.Select(p => (double)p.Update).ToArray();

    /// <summary>Evaluation loss of each point.</summary>
    public static double[] Loss(RunRecord r) => r.Curve.Select(p => p.Loss).ToArray();

    /// <summary>The points that have an accuracy, with it.</summary>
    public static (double[] Updates, double[] Time, double[] Accuracy) Accuracy(RunRecord r)
    {
        var time = Time(r);
        var idx = Enumerable.Range(0, r.Curve.Count).Where(i => r.Curve[i].Accuracy is double a && double.IsFinite(a)).ToArray();
        return (idx.Select(i => (double)r.Curve[i].Update).ToArray(), idx.Select(i => time[i]).ToArray(), idx.Select(i => r.Curve[i].Accuracy!.Value).ToArray());
    }

    /// <summary>The points that have a held-out accuracy (accuracy-target runs), with it.</summary>
    public static (double[] Updates, double[] Accuracy) HeldOut(RunRecord r)
    {
        var pts = r.Curve.Where(p => p.HeldOutAccuracy is double a && double.IsFinite(a)).ToArray();
        return (pts.Select(p => (double)p.Update).ToArray(), pts.Select(p => p.HeldOutAccuracy!.Value).ToArray());
    }

    /// <summary>Only the finite pairs (a diverged run's last loss is infinite).</summary>
    public static (double[] X, double[] Y) Finite(double[] x, double[] y)
    {
        var idx = Enumerable.Range(0, Math.Min(x.Length, y.Length)).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
        return (idx.Select(i => x[i]).ToArray(), idx.Select(i => y[i]).ToArray());
    }
}
