using System.CommandLine;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>The <c>polyak</c> command: train, theory, tune, study, optimize, cluster.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ClusterCommand.RegisterBackend();
        var root = BuildRoot();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine("run 'polyak --help' for usage");
            return ExitCodes.BadInput;
        }
        return parse.Invoke();
    }

    /// <summary>Builds the command tree.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Polyak: parallel SGD that understands asynchrony (asynchrony begets momentum)");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(TheoryCommand.Create());
        root.Subcommands.Add(TuneCommand.Create());
        root.Subcommands.Add(StudyCommand.Create());
        root.Subcommands.Add(OptimizeCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        return root;
    }
}
