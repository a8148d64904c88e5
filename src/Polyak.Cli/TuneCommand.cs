using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Reporting;
using Polyak.Tuning;

namespace Polyak.Cli;

/// <summary><c>polyak tune</c>: grid search of learning rate x momentum for one configuration, resumable from its JSONL journal.</summary>
public static class TuneCommand
{
    public static Command Create()
    {
        var set = new TrainingOptionSet();
        var grid = new TuningOptionSet();
        var command = new Command("tune", "Grid-search learning rate x momentum (negative included) by updates to target; resumable (journal tune.jsonl in --out)");
        set.AddTo(command);
        grid.AddTo(command);
        TuningOptionSet.HideFromHelp(TuningOptionSet.GridOverrides(set, "tune"));
        set.EvalEvery.Description = "Evaluate every K updates (default: the budget / 100)";
        set.Out.Description = "Journal and report folder (default runs/tune-<fingerprint of the grid>; the same command resumes from it)";
        set.TargetLoss.Description = "Score runs by updates to reach this evaluation loss (without it every run is censored and points are ranked by final loss)";
        command.SetAction(p => CommandRunner.Run(() => Execute(set, grid, p)));
        return command;
    }

    private static int Execute(TrainingOptionSet set, TuningOptionSet grid, ParseResult p)
    {
        TuningOptionSet.RejectOverridden(p, "tune", TuningOptionSet.GridOverrides(set, "tune"));
        var options = set.Build(p);
        var runner = SessionTrialRunner.ForOptions(options);
        foreach (string warning in Polyak.Data.ClassBalance.Warnings(runner.Data.Train)) Console.Error.WriteLine($"warning: {warning}");
        double baseLr = options.LearningRate ?? ModelDefaults.LearningRate(ModelCatalog.Create(options.Model, runner.Data.Train), runner.Data.Train);
        var request = new TuningRequest
        {
            Base = options with { Groups = options.Groups ?? options.Workers },
            LearningRates = p.GetValue(grid.Lrs) is string lrs ? TuningOptionSet.ParseList(lrs, "--lrs") : TuningRequest.LogGrid(baseLr, 5, 2),
            Momenta = p.GetValue(grid.Momenta) is string mus ? TuningOptionSet.ParseList(mus, "--momenta") : TuningRequest.DefaultMomenta,
            Seeds = TuningRequest.SeedRange(options.Seed, p.GetValue(grid.Seeds) ?? 1),
            Budget = TuningOptionSet.Budget(options, runner.Data.Train.Count, 2000),
            Halving = p.GetValue(grid.Halving),
            Parallelism = p.GetValue(grid.Parallel),
        };
        request.Validate();
        string dir = OutputFolder.Claim(options.OutDir ?? Path.Combine("runs", "tune-" + request.Fingerprint()), "--out", ["tune.jsonl", "grid.csv"]);
        var journal = new TuningJournal(Path.Combine(dir, "tune.jsonl"));
        Console.Error.WriteLine($"tune: {request.LearningRates.Count} learning rate(s) x {request.Momenta.Count} momenta x {request.Seeds.Count} seed(s), budget {request.Budget} updates, {options.Workers} workers in {request.Base.Groups} group(s) on {options.Backend}");
        Console.Error.WriteLine($"journal: {journal.Path} ({journal.Count} finished run(s) found; rerun the same command to resume)");
        TuningOptionSet.WarnJournalProblems(journal);
        if (options.TargetLoss is null && options.TargetAccuracy is null) Console.Error.WriteLine("note: no --target-loss or --target-accuracy: every run is censored and points are ranked by final loss");

        using var interruption = new Interruption($"stopping: runs in progress are dropped, finished ones are kept in {journal.Path}");
        var progress = new TrialProgress(request.PlannedRuns, request.PlannedRunsExact);
        var tuner = new Tuner(runner, journal)
        {
            TrialFinished = progress.Report,
            Log = m => Console.Error.WriteLine(m),
        };
        TuningResult result;
        try
        {
            result = tuner.Run(request, interruption.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"tune interrupted after {progress.Done} of {(request.Halving ? "at most " : "")}{request.PlannedRuns} run(s): {journal.Count} finished run(s) kept in {journal.Path}; runs in progress were dropped and are redone; resume with: {Rerun.Command()}");
            throw;
        }
        StudyReport.WriteTune(result, dir);
        PrintTable(result);
        if (p.GetValue(set.JsonOutput)) Console.WriteLine(JsonSerializer.Serialize(TuneSummary.Of(result, dir), Json.Compact));
        return ExitCodes.Ok;
    }

    private static void PrintTable(TuningResult result)
    {
        var c = CultureInfo.InvariantCulture;
        double[] mus = result.Points.Select(x => x.Momentum).Distinct().Order().ToArray();
        // Without a target every run is censored and points are ranked by their final loss: show that loss, not "N+".
        bool byLoss = result.Request.Base.TargetLoss is null && result.Request.Base.TargetAccuracy is null;
        string Cell(TuningPoint x) => byLoss && x.Status == TrialResult.Censored ? x.Median.FinalLoss.ToString("G4", c) : x.ScoreText;
        Console.WriteLine();
        Console.WriteLine(byLoss
            ? "evaluation loss at the end (median over seeds; no --target-loss, so points are ranked by it; div diverged, pruned skipped)"
            : "updates to target (median over seeds; N+ censored, div diverged, pruned skipped)");
        var table = ConsoleTable.Create(["lr \\ mu", .. mus.Select(m => m.ToString("0.##", c))], Enumerable.Range(1, mus.Length).ToArray());
        foreach (var row in result.Points.GroupBy(x => x.LearningRate).OrderBy(g => g.Key))
            table.AddRow([row.Key.ToString("G4", c), .. mus.Select(m => row.FirstOrDefault(x => x.Momentum == m) is { } pt ? Cell(pt) : "")]);
        ConsoleTable.Write(table);
        var best = result.Best;
        Console.WriteLine(best is null ? "no usable point" : string.Create(c, $"best: lr {best.LearningRate:G4}, mu {best.Momentum:0.##}: {(byLoss ? "final loss " : "")}{Cell(best)}"));
        var tied = result.TiedBestWhere(_ => true);
        if (tied.Count > 1)
            Console.WriteLine(string.Create(c, $"tie: {string.Join("; ", tied.Select(p => string.Create(c, $"lr {p.LearningRate:G4}, mu {p.Momentum:0.##}")))} all score {best!.ScoreText}; the tie-break (median run's final loss, then the smaller lr, then the smaller mu) chose the first"));
        if (best is not null)
        {
            double[] lrs = result.Points.Select(x => x.LearningRate).Distinct().ToArray();
            var edge = TuningResult.GridEdges(best.LearningRate, best.Momentum, lrs, mus)
                .Select(e => $"the {e.End} {(e.Momentum ? "momentum" : "learning rate")}").ToList();
            if (edge.Count > 0) Console.WriteLine($"note: the best point has {string.Join(" and ", edge)} of the grid; the optimum may lie outside it (extend --lrs / --momenta)");
        }
        Console.WriteLine(string.Create(c, $"runs: {result.RunsExecuted} executed ({result.CostSeconds:F1} s), {result.RunsReused} reused, {result.RunsPruned} pruned"));
    }
}
