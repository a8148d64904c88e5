namespace Polyak.Execution;

/// <summary>Creates execution backends by name. Hosts may register more (e.g. the cluster backend).</summary>
public static class BackendCatalog
{
    private static readonly Dictionary<string, Func<IExecutionBackend>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["threads"] = () => new ThreadsBackend(),
        ["simulated"] = () => new SimulatedBackend(),
    };

    /// <summary>Names of the registered backends.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Registers (or replaces) a backend factory.</summary>
    public static void Register(string name, Func<IExecutionBackend> factory) => Factories[name] = factory;

    /// <summary>Creates the backend <paramref name="name"/>; throws naming the known ones.</summary>
    public static IExecutionBackend Create(string name) =>
        Factories.TryGetValue(name, out var f) ? f()
        : throw new ArgumentException($"unknown backend '{name}': expected one of {string.Join(", ", Factories.Keys)}");
}
