using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Reporting;
using Polyak.Tuning;

namespace Polyak.Cli;

/// <summary>
/// <c>polyak study</c>: tunes learning rate x momentum at every asynchrony level and writes the report folder
/// (study.json, CSV tables, PNG/SVG figures, index.html). Resumable: the journal tune.jsonl lives in --out.
/// </summary>
public static class StudyCommand
{
    public static Command Create()
    {
        var set = new TrainingOptionSet();
        var grid = new TuningOptionSet();
        var levels = new Option<string?>("--levels") { Description = "Numbers of compute groups g to study, comma-separated, each dividing --workers (default 1,2,4,8,16)" };
        var quick = new Option<bool>("--quick") { Description = "Quick preset (about 20 s): least squares on synthetic regression, N=16, simulator" };
        var full = new Option<bool>("--full") { Description = "Full preset (tens of minutes): LeNet on Fashion-MNIST, N=16, simulator" };
        var presetOption = new Option<string?>("--preset") { Description = $"Preset by name: {string.Join(", ", StudyPresets.Names)} (mlp-fashion: 784-256-10 MLP on Fashion-MNIST to loss 0.45, 4 lr x 6 mu x 3 seeds)" };
        var policies = new Option<string?>("--policies") { Description = "Also run every level under these server-side staleness policies (comma-separated: lr-scale, drop:T, dc[:LAMBDA], dc-a[:LAMBDA0], ssp:S) and compare each alone (mu = 0) and combined with momentum tuning" };
        var extend = new Option<bool>("--extend-edges") { Description = "Where a policy's best point is on the grid's edge, add the next learning rate or momentum beyond it and rerun what is new (at most 3 rounds)" };
        var autoMomentum = new Option<bool>("--auto") { Description = "Also run --momentum auto:TARGET (TARGET = the best momentum at g = 1) at every level with only the learning rate searched, and compare it with the full tune's optimum" };
        var command = new Command("study", "The momentum study: tune lr x momentum per asynchrony level, statistical penalty of three momentum policies, HTML report");
        set.AddTo(command);
        grid.AddTo(command);
        TuningOptionSet.HideFromHelp([(set.Groups, ""), .. TuningOptionSet.GridOverrides(set, "study")]);
        set.Workers.Description = "Number of workers N (default 16, or the preset's)";
        set.Backend.Description = "Execution backend: simulated (default for study), threads, cluster";
        set.EvalEvery.Description = "Evaluate every K updates (default: the budget / 100, or the preset's)";
        set.Out.Description = "Report and journal folder (default runs/study-<preset>-<fingerprint>; the same command resumes from it)";
        set.TargetLoss.Description = "The target loss that updates-to-target are counted to (required unless --quick or --full gives one)";
        command.Options.Add(levels);
        command.Options.Add(quick);
        command.Options.Add(full);
        command.Options.Add(extend);
        command.Options.Add(presetOption);
        command.Options.Add(policies);
        command.Options.Add(autoMomentum);
        command.SetAction(p => CommandRunner.Run(() => Execute(set, grid, p, p.GetValue(levels), PresetName(p.GetValue(quick), p.GetValue(full), p.GetValue(presetOption)), p.GetValue(extend), p.GetValue(policies), p.GetValue(autoMomentum))));
        return command;
    }

    /// <summary>The preset asked for (<c>--quick</c>, <c>--full</c> or <c>--preset NAME</c>, one at most), or null.</summary>
    private static string? PresetName(bool quick, bool full, string? name)
    {
        var given = new[] { quick ? "quick" : null, full ? "full" : null, name }.Where(x => x is not null).ToList();
        if (given.Count > 1) throw new ArgumentException($"--quick, --full and --preset are exclusive: choose one preset (got {string.Join(", ", given)})");
        return given.FirstOrDefault();
    }

    /// <summary>Builds the study request from the command line: preset defaults, then explicit options.</summary>
    internal static StudyRequest BuildRequest(TrainingOptionSet set, TuningOptionSet grid, ParseResult p, string? levelSpec, string? presetName, out SessionTrialRunner runner)
    {
        TuningOptionSet.RejectOverridden(p, "study",
            [(set.Groups, "study sets the groups per level; give them with --levels"), .. TuningOptionSet.GridOverrides(set, "study")]);
        StudyRequest? preset = presetName is null ? null : StudyPresets.Get(presetName);
        var defaults = preset?.Base ?? new TrainingOptions { Workers = 16, Backend = StudyPresets.DefaultBackend };
        var options = set.Build(p, defaults);
        runner = SessionTrialRunner.ForOptions(options);
        foreach (string warning in Polyak.Data.ClassBalance.Warnings(runner.Data.Train)) Console.Error.WriteLine($"warning: {warning}");
        int n = options.Workers;
        IReadOnlyList<int> lv = levelSpec is string spec ? TuningOptionSet.ParseIntList(spec, "--levels")
            : Enumerable.Range(0, 31).Select(i => 1 << i).Where(g => g <= n && n % g == 0).Append(n).Distinct().ToArray();
        IReadOnlyList<double> lrs;
        if (p.GetValue(grid.Lrs) is string lrSpec) lrs = TuningOptionSet.ParseList(lrSpec, "--lrs");
        else if (preset is not null && p.GetValue(set.LearningRate) is null) lrs = preset.LearningRates;
        else lrs = TuningRequest.LogGrid(options.LearningRate ?? ModelDefaults.LearningRate(ModelCatalog.Create(options.Model, runner.Data.Train), runner.Data.Train), preset?.LearningRates.Count ?? 5, 2);
        return new StudyRequest
        {
            Preset = preset?.Preset ?? "custom",
            Base = options with { Groups = null, OutDir = null },
            Levels = lv,
            LearningRates = lrs,
            Momenta = p.GetValue(grid.Momenta) is string mus ? TuningOptionSet.ParseList(mus, "--momenta") : preset?.Momenta ?? TuningRequest.DefaultMomenta,
            Seeds = p.GetValue(grid.Seeds) is int k ? TuningRequest.SeedRange(options.Seed, k) : preset?.Seeds ?? [options.Seed],
            Budget = p.GetValue(set.Updates) is long u ? u : preset?.Budget ?? TuningOptionSet.Budget(options, runner.Data.Train.Count, 2000),
            EvalEvery = options.EvalEvery ?? preset?.EvalEvery,
            Halving = p.GetValue(grid.Halving) || (preset?.Halving ?? false),
            Parallelism = p.GetValue(grid.Parallel),
        };
    }

    private static int Execute(TrainingOptionSet set, TuningOptionSet grid, ParseResult p, string? levelSpec, string? presetName, bool extendEdges, string? policies, bool autoMomentum)
    {
        var request = BuildRequest(set, grid, p, levelSpec, presetName, out var runner) with
        {
            ExtendEdgeRounds = extendEdges ? 3 : 0,
            AutoMomentum = autoMomentum,
            Policies = policies is null ? [] : policies.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        };
        request.Validate();
        request.Validate();
        string fingerprint = TuningRequest.Fingerprint(request.Base, $"{string.Join(",", request.Levels)}|{request.LevelRequest(request.Levels[0]).Fingerprint()}");
        string dir = OutputFolder.Claim(p.GetValue(set.Out) ?? Path.Combine("runs", $"study-{request.Preset}-{fingerprint}"), "--out", ["tune.jsonl", "study.json"]);
        var journal = new TuningJournal(Path.Combine(dir, "tune.jsonl"));
        if (!request.Base.Backend.Equals("simulated", StringComparison.OrdinalIgnoreCase))
            Console.Error.WriteLine($"note: backend {request.Base.Backend}: updates-to-target depend on real thread timing (the simulator is deterministic)");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"study ({request.Preset}): levels g = {string.Join(",", request.Levels)} over N = {request.Base.Workers} on {request.Base.Backend}; {request.LearningRates.Count} lr x {request.ResolvedMomenta.Count} mu x {request.Seeds.Count} seed(s) per level, budget {request.Budget} updates"));
        Console.Error.WriteLine($"report and journal: {dir} ({journal.Count} finished run(s) found; rerun the same command to resume)");
        TuningOptionSet.WarnJournalProblems(journal);

        using var interruption = new Interruption($"stopping: runs in progress are dropped, finished ones are kept in {journal.Path}");
        var progress = new TrialProgress(request.PlannedRuns, !request.Halving && request.ExtendEdgeRounds == 0);
        var study = new Study(runner, journal)
        {
            TrialFinished = progress.Report,
            Log = m => Console.Error.WriteLine(m),
        };
        StudyResult result;
        try
        {
            result = study.Run(request, interruption.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"study interrupted after {progress.Done} of {(request.Halving || request.ExtendEdgeRounds > 0 ? "about " : "")}{request.PlannedRuns} run(s): {journal.Count} finished run(s) kept in {journal.Path}; runs in progress were dropped and are redone; resume with: {Rerun.Command()}");
            throw;
        }
        string index = StudyReport.Write(result, dir);
        PrintTable(result);
        Console.WriteLine($"report: {index}");
        if (p.GetValue(set.JsonOutput)) Console.WriteLine(JsonSerializer.Serialize(StudySummary.Of(result, index), Json.Compact));
        return ExitCodes.Ok;
    }

    private static void PrintTable(StudyResult r)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        var table = ConsoleTable.Create(["g", "best lr", "best mu", "updates", "pen mu=0.9", "pen mu>=0", "pen incl.neg", "implicit", "pred.explicit", "time/update", "pred.time"],
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        foreach (var l in r.Levels)
        {
            table.AddRow([
                l.Groups.ToString(c), l.BestLr.ToString("G3", c), l.BestMomentum.ToString("0.##", c),
                l.Status == TrialResult.Censored ? r.Budget + "+" : l.UpdatesToTarget.ToString("G6", c),
                Pen(l.Fixed09), Pen(l.Nonneg), Pen(l.WithNegative), l.ImplicitMomentum.ToString("0.###", c),
                l.PredictedExplicitMomentum.ToString("0.###", c), l.TimePerUpdate.ToString("G4", c),
                (l.Status == TrialResult.Censored ? ">=" : "") + l.PredictedTimeToTarget.ToString("G4", c),
            ]);
        }
        ConsoleTable.Write(table);
        Console.WriteLine();
        foreach (string line in r.Reading) Console.WriteLine("- " + line);
        Console.WriteLine(string.Create(c, $"cost: {r.RunsExecuted} runs executed ({r.CostSeconds:F1} s of run time), {r.RunsReused} reused, {r.RunsPruned} pruned; {r.WallSeconds:F1} s wall"));
    }

    private static string Pen(PolicyChoice p) =>
        double.IsNaN(p.Penalty) ? "n/a" : (p.Reached ? "" : ">=") + p.Penalty.ToString("0.00", CultureInfo.InvariantCulture);
}
