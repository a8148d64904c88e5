using Spectre.Console;
using Spectre.Console.Rendering;

namespace Polyak.Cli;

/// <summary>
/// Tables on stdout through Spectre.Console: rounded boxes on a terminal; plain ASCII, no colour and no wrapping when
/// stdout is redirected (log files, pipes, CI), so every row stays one line a script can grep.
/// </summary>
public static class ConsoleTable
{
    /// <summary>A table with the given column headers; numeric columns (<paramref name="rightAligned"/>) are right-aligned.</summary>
    public static Table Create(IReadOnlyList<string> headers, params int[] rightAligned)
    {
        var table = new Table().Border(Console.IsOutputRedirected ? TableBorder.Ascii : TableBorder.Rounded);
        for (int i = 0; i < headers.Count; i++)
        {
            var column = new TableColumn(new Text(headers[i])) { NoWrap = true };
            if (rightAligned.Contains(i)) column.RightAligned();
            table.AddColumn(column);
        }
        return table;
    }

    /// <summary>Adds a row of plain-text cells (no markup is interpreted).</summary>
    public static void AddRow(this Table table, IEnumerable<string> cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());

    /// <summary>Writes <paramref name="renderable"/> to stdout.</summary>
    public static void Write(IRenderable renderable)
    {
        bool redirected = Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected) console.Profile.Width = 1000;
        console.Write(renderable);
    }
}
