namespace Polyak.Execution;

/// <summary>Creates execution backends by name (<c>--backend</c>). Hosts may register more (the cluster backend).</summary>
public static class BackendCatalog
{
    private static readonly Dictionary<string, Func<TrainingOptions, IExecutionBackend>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["threads"] = _ => new ThreadsBackend(),
        ["simulated"] = _ => new SimulatedBackend(),
    };

    /// <summary>Names of the registered backends.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Registers (or replaces) a backend factory that reads what it needs from the run's options.</summary>
    public static void Register(string name, Func<TrainingOptions, IExecutionBackend> factory) => Factories[name] = factory;

    /// <summary>Registers (or replaces) a backend factory.</summary>
    public static void Register(string name, Func<IExecutionBackend> factory) => Factories[name] = _ => factory();

    /// <summary>Creates the backend <paramref name="name"/> for a run with <paramref name="options"/>; throws naming the known ones.</summary>
    public static IExecutionBackend Create(string name, TrainingOptions? options = null) =>
        Factories.TryGetValue(name, out var f) ? f(options ?? new TrainingOptions { Backend = name })
        : throw new ArgumentException($"unknown backend '{name}': expected one of {string.Join(", ", Factories.Keys)}");
}
