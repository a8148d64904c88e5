using System.Text.Json;
using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>Runs a command body and maps bad input to exit code 2 with one clear message on stderr.</summary>
public static class CommandRunner
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
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
