using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Polyak.Execution;
using Polyak.Training;
using Polyak.Tuning;

namespace Polyak.Cli;

/// <summary>
/// <c>polyak optimize</c>: chooses compute groups, learning rate and momentum minimising the predicted time to target,
/// trains with them (re-tuning every epoch), and prints every decision as a table.
/// </summary>
public static class OptimizeCommand
{
    public static Command Create()
    {
        var set = new TrainingOptionSet();
        var budget = new Option<double?>("--time-budget") { Description = "Total time budget in seconds, tuning included (simulated seconds on the simulator)" };
        var momenta = new Option<string?>("--momenta") { Description = "Momentum grid of the tuning phases (default -0.6,-0.3,0,0.3,0.6,0.9)" };
        var tuneUpdates = new Option<long?>("--tune-updates") { Description = "Updates of each cold-start tuning run (default 300)" };
        var probeUpdates = new Option<long?>("--probe-updates") { Description = "Updates of each hardware probe (default 100)" };
        var epochShare = new Option<double?>("--epoch-share") { Description = "Length of an optimizer epoch as a share of the time budget (default 0.2)" };
        var command = new Command("optimize", "Choose groups, learning rate and momentum for the shortest predicted time to target, then train with them");
        set.AddTo(command);
        foreach (var o in new Option[] { set.Groups, set.Momentum, set.MomentumGain, set.MomentumBounds, set.MomentumPeriod, set.MomentumSignal, set.Updates, set.Epochs, set.Time, set.Resume, set.AllowChangedData, set.CheckpointEvery })
            o.Hidden = true;
        set.Workers.Description = "Number of workers N to configure (default 16)";
        set.Out.Description = "Output folder (default runs/<time>-optimize)";
        set.TargetLoss.Description = "Required: the evaluation loss whose predicted time to reach is minimised";
        foreach (var o in new Option[] { budget, momenta, tuneUpdates, probeUpdates, epochShare }) command.Options.Add(o);
        command.SetAction(p => CommandRunner.Run(() =>
        {
            TuningOptionSet.RejectOverridden(p, "optimize",
                (set.Groups, "optimize chooses the number of groups (to fix it, use train)"),
                (set.Momentum, "optimize tunes the momentum; give its grid with --momenta"),
                (set.MomentumGain, "optimize tunes fixed momenta (no --momentum auto)"),
                (set.MomentumBounds, "optimize tunes fixed momenta (no --momentum auto)"),
                (set.MomentumPeriod, "optimize tunes fixed momenta (no --momentum auto)"),
                (set.MomentumSignal, "optimize tunes fixed momenta (no --momentum auto)"),
                (set.Updates, "optimize's budget is --time-budget"),
                (set.Epochs, "optimize's budget is --time-budget"),
                (set.Time, "optimize's budget is --time-budget"),
                (set.Resume, "optimize cannot continue a run; it starts afresh within --time-budget"),
                (set.AllowChangedData, "optimize cannot continue a run; it starts afresh within --time-budget"),
                (set.CheckpointEvery, "optimize checkpoints its main run itself"));
            var options = set.Build(p, new TrainingOptions { Workers = 16 });
            if (options.OutDir is string outDir && File.Exists(Path.Combine(outDir, "run", "run.json")))
                throw new ArgumentException($"--out {outDir} already holds an optimize run ({Path.Combine(outDir, "run", "run.json")}); choose another --out");
            if (options.OutDir is string newDir) OutputFolder.Claim(newDir, "--out", []);
            var request = new OptimizeRequest
            {
                Base = options,
                TimeBudget = p.GetValue(budget) ?? throw new ArgumentException("optimize needs --time-budget SECONDS"),
                Momenta = p.GetValue(momenta) is string m ? TuningOptionSet.ParseList(m, "--momenta") : OptimizeRequest.DefaultMomenta,
                TuneUpdates = p.GetValue(tuneUpdates) ?? 300,
                ProbeUpdates = p.GetValue(probeUpdates) ?? 100,
                EpochShare = p.GetValue(epochShare) ?? 0.2,
                OutDir = options.OutDir,
            };
            using var interruption = new Interruption();
            var result = new ConfigurationOptimizer { Log = msg => Console.Error.WriteLine(msg) }.Run(request, interruption.Token);
            PrintTable(result);
            if (p.GetValue(set.JsonOutput)) Console.WriteLine(JsonSerializer.Serialize(OptimizeSummary.Of(result), Json.Compact));
            return result.Status switch
            {
                "diverged" => ExitCodes.Diverged,
                "interrupted" => ExitCodes.Interrupted,
                _ => ExitCodes.Ok,
            };
        }));
        return command;
    }

    private static void PrintTable(OptimizeResult r)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        var table = ConsoleTable.Create(["phase", "g", "lr", "mu", "measure", "value", "chosen", "reason"], 1, 2, 3, 5);
        // A value a phase does not have (a hardware probe's lr and mu) is "-", not NaN.
        static string Num(double x, string format) => double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "-";
        foreach (var d in r.Decisions)
            table.AddRow([d.Phase, d.Groups.ToString(c), Num(d.LearningRate, "G3"), Num(d.Momentum, "G3"), d.Measure, Num(d.Value, "G4"), d.Chosen ? "*" : "", d.Reason]);
        ConsoleTable.Write(table);
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"chosen: g = {r.Groups}, lr {r.LearningRate}, mu {r.Momentum} (predicted time to target {r.PredictedTimeToTarget:G4} {r.TimeUnit}); at the end: g = {r.FinalGroups}, lr {r.FinalLearningRate}, mu {r.FinalMomentum}"));
        Console.WriteLine(double.IsNaN(r.MeasuredUpdatesToTarget)
            ? string.Create(c, $"prediction: {r.PredictedUpdatesToTarget:G4} updates to target; the main run did not reach the target, so it cannot be checked")
            : string.Create(c, $"prediction: {r.PredictedUpdatesToTarget:G4} updates to target, measured {r.MeasuredUpdatesToTarget:G4} ({r.PredictionRatio:G3}x the prediction)"));
        Console.WriteLine(string.Create(c, $"main run: {r.Status}, {(r.ReachedTarget ? "reached the target" : "did not reach the target")} after {r.TrainingTime:G4} {r.TimeUnit} of training"));
        Console.WriteLine(string.Create(c, $"cost: cold start {r.ColdStartCost:G4} {r.TimeUnit} ({r.ColdStartUpdates} updates, {r.ColdStartWallSeconds:F1} s wall), re-tuning {r.RetuneCost:G4} {r.TimeUnit}; {r.WallSeconds:F1} s wall in all"));
        if (r.RunDir is not null) Console.WriteLine($"run folder: {r.RunDir}");
    }
}
