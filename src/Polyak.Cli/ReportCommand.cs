using System.CommandLine;
using Polyak.Execution;
using Polyak.Reporting;

namespace Polyak.Cli;

/// <summary>
/// <c>polyak report RUN... [--out DIR]</c>: with one run folder and no <c>--out</c>, (re)writes its <c>report.html</c>;
/// otherwise writes a comparison page of all the runs (curves overlaid, the settings that differ, the outcomes) into DIR
/// (default <c>comparison-&lt;UTC time&gt;</c>).
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "Run folders (each holds run.json)", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string?>("--out") { Description = "Folder for the comparison page (default comparison-<UTC time>); with one run and no --out, the run's own report.html is rewritten" };
        var command = new Command("report", "Write a run's report.html again, or compare several runs on one page (curves overlaid, differing settings, outcomes)");
        command.Arguments.Add(runs);
        command.Options.Add(outDir);
        command.SetAction(p => CommandRunner.Run(() =>
        {
            var folders = p.GetValue(runs)!;
            string? dir = p.GetValue(outDir);
            if (dir is not null) ComparisonReport.CheckOutput(dir); // before anything is read
            var records = folders.Select(f =>
            {
                if (!Directory.Exists(f)) throw new ArgumentException($"report: run folder '{f}' does not exist");
                return (f, RunRecord.Read(f));
            }).ToList();
            if (records.Count == 1 && dir is null)
            {
                var written = RunReport.Write(folders[0], records[0].Item2);
                Console.WriteLine($"wrote {Path.GetFullPath(written[^1])}");
                return ExitCodes.Ok;
            }
            dir ??= $"comparison-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
            string page = ComparisonReport.Write(dir, records);
            Console.WriteLine($"wrote {Path.GetFullPath(page)} ({records.Count} runs)");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
