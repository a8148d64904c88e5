using System.Collections.Concurrent;

namespace Polyak.Cluster.Hosting;

/// <summary>
/// Per-silo home of the state of Polyak's grains, keyed by grain key. Orleans can give a live grain a second
/// activation when the directory entry it had died with another silo; Polyak's placement is deterministic, so that
/// activation lands on the same silo, finds the same state here and carries on (instead of starting empty).
/// </summary>
public sealed class GrainStateStore
{
    private readonly ConcurrentDictionary<string, object> _states = new();

    /// <summary>The state stored under <paramref name="key"/>, created by <paramref name="create"/> the first time.</summary>
    public T GetOrAdd<T>(string key, Func<T> create) where T : class =>
        (T)_states.GetOrAdd(typeof(T).Name + ":" + key, _ => create());

    /// <summary>Forgets the state under <paramref name="key"/>.</summary>
    public void Remove<T>(string key) => _states.TryRemove(typeof(T).Name + ":" + key, out _);
}
