namespace Polyak.Cli;

/// <summary>The command line this process was started with, quoted for a POSIX shell: what to run again to resume.</summary>
public static class Rerun
{
    /// <summary><c>./polyak ARGS...</c> with each argument quoted when the shell would split or expand it.</summary>
    public static string Command()
    {
        var args = Environment.GetCommandLineArgs().Skip(1); // [0] is the program
        return "./polyak " + string.Join(" ", args.Select(Quote));
    }

    /// <summary>Quotes <paramref name="arg"/> for a POSIX shell when needed (single quotes; a quote inside is closed, escaped, reopened).</summary>
    public static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,+@%".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";
}
