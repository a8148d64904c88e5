using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Reporting;
using Polyak.Training;

namespace Polyak.Cli;

/// <summary>
/// <c>polyak evaluate RUN [--data D] [--split test|train]</c>: measures a run's trained model (its newest checkpoint) on
/// the test split of the data it trained on, or of other data: loss, accuracy and the confusion matrix, printed as a
/// table and written as <c>evaluation.json</c>, <c>confusion.csv</c> and a figure into <c>RUN/evaluation</c> (or <c>--out</c>).
/// </summary>
public static class EvaluateCommand
{
    private const string ResultFile = "evaluation.json";

    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "Run folder (holds checkpoint.bin)" };
        var data = new Option<string?>("--data") { Description = "Data to evaluate on (a data spec as for train; default the run's own data)" };
        var format = new Option<string?>("--format") { Description = "Format of --data (as for train)" };
        var split = new Option<string>("--split") { Description = "Split to evaluate: test (default) or train", DefaultValueFactory = _ => "test" };
        var outDir = new Option<string?>("--out") { Description = "Folder for evaluation.json, confusion.csv and the figure (default RUN/evaluation)" };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object on the last line of stdout" };
        var command = new Command("evaluate", "Evaluate a run's trained model: loss, accuracy, confusion matrix (table and figure)");
        command.Arguments.Add(run);
        foreach (var o in new Option[] { data, format, split, outDir, json }) command.Options.Add(o);
        command.SetAction(p => CommandRunner.Run(() =>
            Execute(p.GetValue(run)!, p.GetValue(data), p.GetValue(format), p.GetValue(split)!, p.GetValue(outDir), p.GetValue(json))));
        return command;
    }

    private static int Execute(string runDir, string? dataSpec, string? format, string split, string? outDir, bool json)
    {
        split = split.Trim().ToLowerInvariant();
        if (split is not ("test" or "train")) throw new ArgumentException($"--split: expected test or train, got '{split}'");
        if (format is not null && dataSpec is null) throw new ArgumentException("--format applies to --data only");
        outDir ??= Path.Combine(runDir, "evaluation");
        CheckOutput(outDir);
        var trained = dataSpec is null
            ? TrainedRun.Load(runDir, log: m => Console.Error.WriteLine(m))
            : TrainedRun.Load(runDir, config => RunPlanner.LoadData(config with { Data = DataSpec.Absolute(dataSpec), Format = format, Validation = null }));
        var dataset = split == "test" ? trained.Data.Test : trained.Data.Train;
        if (dataset.Count == 0) throw new ArgumentException($"the {split} split of '{trained.Data.Description}' has no rows");
        var evaluation = ModelEvaluation.Of(trained.Model, trained.Parameters, dataset);

        var c = CultureInfo.InvariantCulture;
        string where = $"{split} split of {trained.Data.Description}";
        Console.WriteLine($"{trained.Model.Name} at update {trained.Update:N0} of {trained.Directory}, on the {where}");
        Console.WriteLine(string.Create(c, $"  rows      {evaluation.Rows:N0}"));
        Console.WriteLine(string.Create(c, $"  loss      {evaluation.Loss:F4}"));
        double? recordedAccuracy = dataSpec is null && split == "test" ? FinalAccuracy(runDir) : null;
        if (evaluation.Confusion is { } confusion)
        {
            Console.WriteLine(string.Create(c, $"  accuracy  {evaluation.Accuracy * 100:F2} % ({evaluation.Correct:N0} correct)")
                + (recordedAccuracy is double a ? string.Create(c, $"; the run recorded final_accuracy {a * 100:F2} %") : ""));
            WriteConfusionTable(confusion);
        }
        Directory.CreateDirectory(outDir);
        var files = new List<string> { Path.Combine(outDir, ResultFile) };
        if (evaluation.Confusion is { } m)
        {
            var csv = new StringBuilder("true\\predicted," + string.Join(",", Enumerable.Range(0, m.Length)) + "\n");
            for (int t = 0; t < m.Length; t++) csv.Append(t.ToString(c)).Append(',').AppendJoin(',', m[t]).Append('\n');
            string csvPath = Path.Combine(outDir, "confusion.csv");
            AtomicFile.WriteText(csvPath, csv.ToString());
            files.Add(csvPath);
            files.AddRange(ConfusionFigure.Write(outDir, evaluation, $"{trained.Model.Name}, {split} split"));
        }
        var result = new EvaluationSummary(trained.Directory, trained.Model.Name, trained.Update, trained.Data.Description, split,
            evaluation.Rows, evaluation.Loss, evaluation.Confusion is null ? null : evaluation.Accuracy, evaluation.Correct, recordedAccuracy, evaluation.Confusion);
        AtomicFile.WriteText(files[0], JsonSerializer.Serialize(result, Json.Indented));
        Console.WriteLine($"  wrote     {string.Join(", ", files.Select(Path.GetFileName))} in {Path.GetFullPath(outDir)}");
        if (json) Console.WriteLine(JsonSerializer.Serialize(result, Json.Compact));
        return ExitCodes.Ok;
    }

    /// <summary>An output folder is written only when it is new, empty, or an earlier evaluation's (it holds evaluation.json).</summary>
    private static void CheckOutput(string dir)
    {
        if (File.Exists(dir)) throw new ArgumentException($"--out: '{dir}' is a file; give a folder");
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any() && !File.Exists(Path.Combine(dir, ResultFile)))
            throw new ArgumentException($"--out: folder '{dir}' holds files Polyak did not write (no {ResultFile}); choose an empty or new folder");
    }

    /// <summary>The run record's final accuracy, or null when the folder has no readable record.</summary>
    private static double? FinalAccuracy(string runDir)
    {
        try { return RunRecord.Read(runDir).Summary.FinalAccuracy; }
        catch (ArgumentException) { return null; }
    }

    private static void WriteConfusionTable(long[][] confusion)
    {
        int k = confusion.Length;
        if (k > 20)
        {
            Console.WriteLine($"  confusion matrix: {k} classes, see confusion.csv");
            return;
        }
        var c = CultureInfo.InvariantCulture;
        var headers = new List<string> { "true \\ predicted" };
        headers.AddRange(Enumerable.Range(0, k).Select(i => i.ToString(c)));
        headers.Add("recall");
        var table = ConsoleTable.Create(headers, Enumerable.Range(1, k + 1).ToArray());
        for (int t = 0; t < k; t++)
        {
            long total = confusion[t].Sum();
            var row = new List<string> { t.ToString(c) };
            row.AddRange(confusion[t].Select(v => v.ToString("N0", c)));
            row.Add(total == 0 ? "-" : string.Create(c, $"{100.0 * confusion[t][t] / total:F1} %"));
            table.AddRow(row);
        }
        var precision = new List<string> { "precision" };
        for (int p = 0; p < k; p++)
        {
            long predicted = confusion.Sum(r => r[p]);
            precision.Add(predicted == 0 ? "-" : string.Create(c, $"{100.0 * confusion[p][p] / predicted:F1} %"));
        }
        precision.Add("");
        table.AddRow(precision);
        ConsoleTable.Write(table);
    }
}

/// <summary>What <c>polyak evaluate</c> writes to <c>evaluation.json</c> (and prints with <c>--json</c>).</summary>
public sealed record EvaluationSummary(string Run, string Model, long Update, string Data, string Split, int Rows, double Loss,
    double? Accuracy, long Correct, double? RecordedFinalAccuracy, long[][]? Confusion);
