using System.Reflection;

namespace Polyak.Bench;

/// <summary>
/// A benchmark suite runnable as <c>dotnet run -c Release --project bench/Polyak.Bench -- NAME [args]</c>.
/// Suites are discovered by reflection, so adding one is adding one file.
/// </summary>
public interface IBenchmarkSuite
{
    /// <summary>Name on the command line.</summary>
    string Name { get; }

    /// <summary>One line saying what it measures.</summary>
    string Description { get; }

    /// <summary>Runs the suite; returns an exit code.</summary>
    int Run(string[] args);
}

/// <summary>Entry point: lists or runs suites.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var suites = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IBenchmarkSuite).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
            .Select(t => (IBenchmarkSuite)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Name)
            .ToList();
        if (args.Length == 0 || args[0] is "-h" or "--help" or "list")
        {
            Console.WriteLine("usage: dotnet run -c Release --project bench/Polyak.Bench -- SUITE [args]");
            foreach (var s in suites) Console.WriteLine($"  {s.Name,-16} {s.Description}");
            return 0;
        }
        var suite = suites.FirstOrDefault(s => string.Equals(s.Name, args[0], StringComparison.OrdinalIgnoreCase));
        if (suite is null)
        {
            Console.Error.WriteLine($"unknown suite '{args[0]}'; run with 'list'");
            return 2;
        }
        return suite.Run(args[1..]);
    }
}
