using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Polyak.Execution;
using Polyak.Reporting;
using Polyak.Training;

namespace Polyak.Cli;

/// <summary><c>polyak train</c>: trains one model with one configuration and writes its run folder.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var set = new TrainingOptionSet();
        var cluster = new ClusterRunOptionSet();
        var command = new Command("train", "Train a model with parallel SGD (sync, async or compute groups) and write a run folder");
        set.AddTo(command);
        cluster.AddTo(command);
        command.SetAction(p => CommandRunner.Run(() => Execute(set, cluster, p)));
        return command;
    }

    private static int Execute(TrainingOptionSet set, ClusterRunOptionSet cluster, ParseResult p)
    {
        bool json = p.GetValue(set.JsonOutput);
        string? resume = p.GetValue(set.Resume);
        if (resume is not null) set.RejectUnresumable(p, cluster.All);
        else if (p.GetValue(set.AllowChangedData)) throw new ArgumentException("--allow-changed-data applies to --resume only");
        cluster.Apply(p, set.Resume); // how this client runs a cluster job (not part of the run's configuration, so resume may change it)
        var options = resume is null ? set.Build(p) : null;
        if (options?.OutDir is string outDir) OutputFolder.CheckNewRun(outDir); // before any data is loaded
        using var interruption = new Interruption();
        var result = ConsoleProgress.Run(progress =>
        {
            var trainer = new Trainer
            {
                Progress = progress,
                Log = progress.Log,
                Artifacts = RunFigures.All,
                AllowChangedData = p.GetValue(set.AllowChangedData),
                DefaultRunDirectory = DefaultRunDirectory,
            };
            return resume is null
                ? trainer.Run(options!, interruption.Token)
                : trainer.Resume(resume, o => set.AdjustResumed(p, o), interruption.Token);
        });
        if (result.Status == RunStatus.Interrupted && result.RunDir is not null)
            Console.Error.WriteLine($"interrupted: checkpoint and run record saved; continue with: ./polyak train --resume {result.RunDir}");
        PrintSummary(result);
        if (json) Console.WriteLine(JsonSerializer.Serialize(TrainSummary.Of(result), Json.Compact));
        if (result.Failure is not null && result.Status == RunStatus.Failed)
            Console.Error.WriteLine($"error: training failed: {result.Failure.Message}");
        if (result.Status == RunStatus.Failed && result.Failure is ArgumentException or InvalidDataException)
            return ExitCodes.BadInput; // e.g. an unreachable --cluster endpoint or a checkpoint that does not fit
        return ExitCodes.For(result.Status);
    }

    /// <summary>The folder of a run without <c>--out</c>: <c>runs/&lt;UTC time&gt;-&lt;model&gt;-&lt;backend&gt;</c> under the current directory.</summary>
    public static string DefaultRunDirectory(RunPlan plan) =>
        Path.Combine("runs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{plan.Model.Name}-{plan.Backend.Name}");


    /// <summary>
    /// The summary's throughput line. Throughput is of training alone: the periodic evaluations' time (summed over
    /// threads, divided by the <paramref name="groups"/> that evaluate in parallel) is taken out of the wall time, so
    /// the line says so and shows both.
    /// </summary>
    public static string ThroughputLine(RunSummary s, int groups)
    {
        double evaluating = s.EvalWallSeconds ?? s.EvalSeconds / Math.Max(1, groups);
        string perUpdate = double.IsFinite(s.SecondsPerUpdate) ? string.Create(CultureInfo.InvariantCulture, $" ({s.SecondsPerUpdate * 1e6:F1} us/update)") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"  throughput   {s.UpdatesPerSecond:N0} updates/s, {s.SamplesPerSecond:N0} samples/s{perUpdate} excluding evaluation ({s.WallSeconds:F2} s wall, {evaluating:F2} s evaluating)");
    }

    private static void PrintSummary(TrainingResult result)
    {
        var r = result.Record;
        var s = r.Summary;
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"Polyak {r.PolyakVersion} — {r.Model.Name} on {r.Data.Description}");
        Console.WriteLine(string.Create(c, $"  backend {r.Config.Backend}: {r.Config.Workers} workers, {r.Config.Groups} group(s), batch {r.Config.Batch}, lr {r.Config.LearningRate:G4}, momentum {(r.AutoMomentum is null ? (r.Config.Momentum ?? 0).ToString("G4", c) : "auto")}, schedule {r.Config.Schedule}, {r.Config.Discipline.ToString().ToLowerInvariant()}"));
        if (r.Recipe is { } rc)
            Console.WriteLine($"  recipe       {rc.Model}'s, for {string.Join(", ", rc.Applied)} (options not given; docs/models.md)");
        Console.WriteLine($"  status       {r.Status}{(r.StopReason is null ? "" : $" ({r.StopReason})")}");
        Console.WriteLine(string.Create(c, $"  updates      {s.Updates:N0} ({s.Epochs:F2} epochs)"));
        Console.WriteLine(string.Create(c, $"  eval loss    {s.InitialLoss:G5} -> {s.FinalLoss:G5}"));
        if (double.IsNaN(s.TestLoss)) Console.WriteLine("  test         not evaluated (interrupted; the resumed run evaluates it at its end)");
        else if (s.FinalAccuracy is double acc) Console.WriteLine(string.Create(c, $"  test         accuracy {acc:P2}, loss {s.TestLoss:G5}"));
        else Console.WriteLine(string.Create(c, $"  test loss    {s.TestLoss:G5}"));
        Console.WriteLine(ThroughputLine(s, r.Config.Groups ?? 1));
        if (s.SimulatedSeconds is double sim) Console.WriteLine(string.Create(c, $"  simulated    {sim:F2} s"));
        Console.WriteLine(string.Create(c, $"  staleness    mean {s.Staleness.Mean:F2}, max {s.Staleness.Max}"));
        if (r.AutoMomentum is { } a)
        {
            string estimate = double.IsFinite(a.FinalTotal) ? string.Create(c, $"estimated total {a.FinalTotal:G3}")
                : $"no estimate in this run (the estimator needs {a.WarmupVersions} versions whose fresh gradients it has seen; the momentum stayed at its start value)";
            Console.WriteLine(string.Create(c, $"  momentum     auto: target total {a.Target:G3} ({a.TargetSource}), explicit {a.Start:G3} -> {a.FinalExplicit:G3}, {estimate}"));
            int periods = a.Series.Count(p => double.IsFinite(p.Total));
            if (a.StalenessFallbacks > 0)
                Console.WriteLine(string.Create(c, $"               {a.StalenessFallbacks} of {periods} control periods steered on the implicit momentum predicted from the mean staleness, s / (1 + s): the staleness was not memoryless (gradient times not exponential) or the trajectory estimate was outside [0, 1)"));
            if (a.FinalExplicit <= a.Min || a.FinalExplicit >= a.Max)
                Console.WriteLine(string.Create(c, $"               note: the explicit momentum ended at its bound {a.FinalExplicit:G3} (--momentum-bounds {a.Min:G3},{a.Max:G3})"));
        }
        if (s.ReachedTarget is bool reached)
            Console.WriteLine(!reached ? "  target       not reached"
                : s.TimeToTarget is double t ? string.Create(CultureInfo.InvariantCulture,
                    $"  target       reached at update {s.UpdatesToTarget}, {t:F2} s of training (evaluation excluded){(s.SimulatedTimeToTarget is double st ? $", {st:G4} simulated s" : "")}")
                : $"  target       reached at update {s.UpdatesToTarget}");
        if (result.RunDir is not null) Console.WriteLine($"  run folder   {result.RunDir}");
    }
}
