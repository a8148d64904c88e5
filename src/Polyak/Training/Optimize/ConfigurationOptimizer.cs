using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Tuning;

namespace Polyak.Training;

/// <summary>
/// <c>polyak optimize</c>: chooses the number of compute groups g, the learning rate and the momentum that minimise the
/// predicted time to target = (updates to target) x (time per update), then trains with it, re-tuning as it goes.
/// Its phases: <see cref="HardwareProbe"/> (time per update per level), <see cref="ColdStartTuning"/> (a short tune per
/// level, the choice), <see cref="SteadyStateTraining"/> (epochs with re-tuning and halving). Every measurement and choice
/// is an <see cref="OptimizeDecision"/>; <c>optimize.json</c>, <c>decisions.csv</c> and the main run's <c>run.json</c>
/// (its <c>optimize</c> section) record them.
/// </summary>
public sealed class ConfigurationOptimizer
{
    /// <summary>Informational messages.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Runs the optimizer; throws <see cref="ArgumentException"/> for bad input or a budget too small to measure.</summary>
    public OptimizeResult Run(OptimizeRequest request, CancellationToken cancel = default, DataSplit? data = null)
    {
        request.Validate();
        var wall = Stopwatch.StartNew();
        var c = CultureInfo.InvariantCulture;
        string outDir = Path.GetFullPath(request.OutDir ?? Path.Combine("runs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-optimize"));
        Directory.CreateDirectory(outDir);
        var decisions = new DecisionLog(Log, Path.Combine(outDir, "decisions.csv"));
        var baseOptions = request.Base with { AutoMomentum = null, Epochs = null, TimeSeconds = null, Updates = null, OutDir = null, CheckpointEvery = null, Schedule = request.Base.Schedule ?? "constant" };
        data ??= RunPlanner.LoadData(baseOptions);
        bool simulated = HardwareProbe.IsSimulated(baseOptions);
        string unit = simulated ? "simulated s" : "s";

        var probe = HardwareProbe.Run(request, baseOptions, data, decisions, cancel);
        var tuned = ColdStartTuning.Run(request, baseOptions, new SessionTrialRunner(data, baseOptions.Seed), probe, decisions, cancel);
        var chosen = tuned.Choice ?? throw new InvalidOperationException("optimize: every level's tuning runs diverged; lower --lr");
        // The cold start's cost: simulated seconds on the simulator; on real backends the wall time it took (its trial
        // runs overlap, so their summed seconds would overstate it: a --time-budget 120 used to fail after 63 s of wall).
        double coldCost = simulated ? probe.Cost + tuned.Cost : wall.Elapsed.TotalSeconds;
        long coldUpdates = probe.Updates + tuned.Updates;
        double coldWall = wall.Elapsed.TotalSeconds;
        if (coldCost >= request.TimeBudget)
            throw new ArgumentException(string.Create(c,
                $"--time-budget {request.TimeBudget} {unit} is too small: the cold start alone (time probes and short tunes) took {coldCost:G4} {unit}, leaving no time to train; raise --time-budget or lower --tune-updates"));
        Log?.Invoke(string.Create(c, $"optimize: cold start chose g = {chosen.Groups}, lr {chosen.LearningRate}, mu {chosen.Momentum} (predicted {chosen.PredictedTime:G4} {unit}); cold start cost {coldCost:G4} {unit}, {coldUpdates} updates"));

        string runDir = Path.Combine(outDir, "run");
        var steady = new SteadyStateTraining(request, baseOptions, data, decisions, Log).Run(chosen, runDir, coldCost, cancel);

        var main = steady.Main;
        // Check the prediction against the measurement of the main run (reported, and kept in the decisions).
        double measured = main?.Record.Summary.UpdatesToTarget is long measuredUpdates ? measuredUpdates : double.NaN;
        decisions.Add("check", chosen.Groups, chosen.LearningRate, chosen.Momentum, "measured / predicted updates", measured / chosen.PredictedUpdates, false,
            double.IsNaN(measured) ? string.Create(c, $"predicted {chosen.PredictedUpdates:G4} updates to target; the main run did not reach the target")
                : string.Create(c, $"predicted {chosen.PredictedUpdates:G4} updates to target, measured {measured:G4} ({measured / chosen.PredictedUpdates:G3}x)"));
        var result = new OptimizeResult
        {
            PredictedUpdatesToTarget = chosen.PredictedUpdates,
            MeasuredUpdatesToTarget = measured,
            Groups = chosen.Groups,
            LearningRate = chosen.LearningRate,
            Momentum = chosen.Momentum,
            PredictedTimeToTarget = chosen.PredictedTime,
            FinalGroups = steady.Groups,
            FinalLearningRate = steady.LearningRate,
            FinalMomentum = steady.Momentum,
            ReachedTarget = main?.Record.Summary.UpdatesToTarget is not null,
            TrainingTime = steady.TrainingTime,
            ColdStartCost = coldCost,
            RetuneCost = steady.RetuneCost,
            ColdStartUpdates = coldUpdates,
            ColdStartWallSeconds = coldWall,
            WallSeconds = wall.Elapsed.TotalSeconds,
            TimeUnit = unit,
            Status = main?.Record.Status ?? "none",
            RunDir = main?.RunDir,
            Decisions = decisions.Items.ToArray(),
        };
        Json.WriteFileAtomic(Path.Combine(outDir, "optimize.json"), result);
        decisions.ToCsv().WriteTo(Path.Combine(outDir, "decisions.csv"));
        // The main run's record carries the decisions too: its run.json gains an "optimize" section.
        if (main?.RunDir is string dir)
        {
            var sections = new Dictionary<string, JsonElement>(main.Record.Sections ?? []) { ["optimize"] = JsonSerializer.SerializeToElement(result, Json.Indented) };
            Json.WriteFileAtomic(Path.Combine(dir, "run.json"), main.Record with { Sections = sections });
        }
        return result;
    }
}
