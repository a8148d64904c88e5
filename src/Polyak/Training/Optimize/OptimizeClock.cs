using Polyak.Execution;

namespace Polyak.Training;

/// <summary>The optimizer's time accounting: simulated seconds on the simulator, wall seconds of training otherwise.</summary>
public static class OptimizeClock
{
    /// <summary>The time a run took, in the backend's unit.</summary>
    public static double TimeOf(RunSummary s, bool simulated) => simulated ? s.SimulatedSeconds ?? 0 : s.WallSeconds;

    /// <summary>Time per update of a run (hardware efficiency), in the backend's unit.</summary>
    public static double TimePerUpdate(RunSummary s, bool simulated) =>
        (simulated ? s.SimulatedSeconds ?? double.NaN : s.WallSeconds) / Math.Max(1, s.Updates);
}
