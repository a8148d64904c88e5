using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>
/// <c>polyak runs [DIR]</c>: lists the run folders under DIR (default <c>runs</c>), newest first, with status, model,
/// updates and loss; a run left <c>running</c> by a process that died is shown as such, with how to continue it.
/// </summary>
public static class RunsCommand
{
    public static Command Create()
    {
        var dirArgument = new Argument<string?>("dir") { Description = "Folder holding run folders (default runs)", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print the list as one JSON object on the last line of stdout" };
        var command = new Command("runs", "List the runs in a folder: status (running, finished, or left running by a process that died), model, updates, loss");
        command.Arguments.Add(dirArgument);
        command.Options.Add(json);
        command.SetAction(p => CommandRunner.Run(() =>
        {
            string dir = p.GetValue(dirArgument) ?? "runs";
            if (File.Exists(dir)) throw new ArgumentException($"runs: '{dir}' is a file; give a folder of run folders");
            if (!Directory.Exists(dir)) throw new ArgumentException($"runs: folder '{dir}' does not exist");
            var runs = List(dir);
            var c = CultureInfo.InvariantCulture;
            if (runs.Count == 0) Console.WriteLine($"no runs in {Path.GetFullPath(dir)}");
            else
            {
                var table = ConsoleTable.Create(["run", "status", "model", "updates", "eval loss", "last written (UTC)"], 3, 4);
                foreach (var r in runs)
                    table.AddRow([Path.GetFileName(r.Directory), r.Shown, r.Model, r.Updates.ToString("N0", c),
                        double.IsFinite(r.FinalLoss) ? r.FinalLoss.ToString("G5", c) : "-", r.Modified.ToString("yyyy-MM-dd HH:mm:ss", c)]);
                ConsoleTable.Write(table);
            }
            if (p.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new RunsSummary(runs.Select(r => new RunListEntry(r.Directory, r.Status, r.Abandoned, r.Model, r.Updates, r.FinalLoss)).ToArray()), Json.Compact));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The run folders directly under <paramref name="dir"/> (and <paramref name="dir"/> itself when it is one), newest first.</summary>
    public static IReadOnlyList<RunFolderState> List(string dir) =>
        new[] { dir }.Concat(Directory.EnumerateDirectories(dir)).Select(RunFolderState.Read).OfType<RunFolderState>()
            .OrderByDescending(r => r.Modified).ToList();
}
