using System.CommandLine;
using System.CommandLine.Help;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>The <c>polyak</c> command: train, theory, tune, study, optimize, cluster, runs, export, evaluate, report, serve.</summary>
public static class Program
{
    /// <summary>Parses <paramref name="args"/> and runs the command; bad usage prints <c>error:</c> lines and returns 2.</summary>
    public static int Main(string[] args)
    {
        Interruption.RestoreSigint(); // before anything touches the console
        ClusterCommand.RegisterBackend();
        var root = BuildRoot();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One error line, whatever went wrong (several problems are joined).
            Console.Error.WriteLine($"error: {CommandRunner.OneLine(string.Join("; ", UsageErrors.Describe(parse)))}");
            Console.Error.WriteLine("run 'polyak --help' for usage");
            return ExitCodes.BadInput;
        }
        return parse.Invoke();
    }

    /// <summary>
    /// Builds the command tree. The root is a plain command named <c>polyak</c> (a <see cref="RootCommand"/> takes its
    /// name from the entry assembly, Polyak.Cli), with the help and version options a root command would add.
    /// </summary>
    public static Command BuildRoot()
    {
        var root = new Command("polyak", "Polyak: parallel SGD that understands asynchrony (asynchrony begets momentum)");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(TheoryCommand.Create());
        root.Subcommands.Add(TuneCommand.Create());
        root.Subcommands.Add(StudyCommand.Create());
        root.Subcommands.Add(OptimizeCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        return root;
    }
}
