using System.Text.Json;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>Runs a command body and maps bad input to exit code 2 with one clear message on stderr.</summary>
public static class CommandRunner
{
    /// <summary>A message as one error line: line breaks folded, at most 400 characters (a huge value is cut in the middle).</summary>
    public static string OneLine(string message)
    {
        string m = message.ReplaceLineEndings(" ");
        return m.Length <= 400 ? m : $"{m[..300]} ...({m.Length - 380:N0} characters cut)... {m[^80..]}";
    }

    /// <summary>Runs <paramref name="body"/>: bad input is exit 2 with one <c>error:</c> line, an interruption 130, anything else 1.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            Console.Error.WriteLine($"error: {OneLine(ex.Message)}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"error: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.Failure;
        }
    }
}
