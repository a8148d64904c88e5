using System.Globalization;
using Polyak.Data;
using Polyak.Execution;

namespace Polyak.Training;

/// <summary>
/// Cold start, phase 1 (hardware efficiency): measures the time per update of g = 1, 2, 4, ... with short probes and
/// stops adding groups once it improves by less than <see cref="OptimizeRequest.MinImprovement"/>.
/// </summary>
public static class HardwareProbe
{
    /// <summary>Probes the levels of <paramref name="request"/>; throws <see cref="ArgumentException"/> when the budget cannot pay for the first probe.</summary>
    public static HardwareProbeResult Run(OptimizeRequest request, TrainingOptions baseOptions, DataSplit data, DecisionLog decisions, CancellationToken cancel)
    {
        var c = CultureInfo.InvariantCulture;
        bool simulated = IsSimulated(baseOptions);
        string unit = simulated ? "simulated s" : "s";
        var levels = request.Levels();
        var timePerUpdate = new Dictionary<int, double>();
        var candidates = new List<int>();
        double lr0 = double.NaN, cost = 0;
        long updates = 0;
        foreach (int g in levels)
        {
            cancel.ThrowIfCancellationRequested();
            var probeOptions = baseOptions with { Groups = g, Momentum = 0, Updates = request.ProbeUpdates, TargetLoss = null, EvalEvery = int.MaxValue };
            if (!double.IsNaN(lr0)) probeOptions = probeOptions with { LearningRate = lr0 / 10 };
            var probe = TrainingSession.Train(RunPlanner.Plan(probeOptions, data), cancel);
            if (double.IsNaN(lr0)) lr0 = baseOptions.LearningRate ?? probe.Record.Config.LearningRate!.Value;
            double tpu = OptimizeClock.TimePerUpdate(probe.Record.Summary, simulated);
            double probeCost = OptimizeClock.TimeOf(probe.Record.Summary, simulated);
            cost += probeCost;
            updates += probe.Record.Summary.Updates;
            if (g == levels[0] && probeCost > request.TimeBudget)
                throw new ArgumentException(string.Create(c, $"--time-budget {request.TimeBudget} {unit} is too small to measure: probing the time per update of g = {g} alone took {probeCost:G4} {unit}"));
            timePerUpdate[g] = tpu;
            if (candidates.Count > 0)
            {
                double previous = timePerUpdate[candidates[^1]];
                double improvement = 1 - tpu / previous;
                if (improvement < request.MinImprovement)
                {
                    decisions.Add("hardware", g, double.NaN, double.NaN, "time/update", tpu, false,
                        string.Create(c, $"improves {improvement:P0} on g = {candidates[^1]} (< {request.MinImprovement:P0}): stop adding groups"));
                    break;
                }
                decisions.Add("hardware", g, double.NaN, double.NaN, "time/update", tpu, true, string.Create(c, $"improves {improvement:P0} on g = {candidates[^1]}"));
            }
            else decisions.Add("hardware", g, double.NaN, double.NaN, "time/update", tpu, true, "first level");
            candidates.Add(g);
        }
        return new HardwareProbeResult(candidates, timePerUpdate, lr0, cost, updates);
    }

    /// <summary>Whether the options run on the simulator (time is then simulated).</summary>
    public static bool IsSimulated(TrainingOptions options) => options.Backend.Equals("simulated", StringComparison.OrdinalIgnoreCase);
}
