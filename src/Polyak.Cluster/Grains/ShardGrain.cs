using Orleans.Runtime;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Placement;
using Polyak.Optimization;

namespace Polyak.Cluster.Grains;

/// <summary>
/// A parameter-server shard (see <see cref="IShardGrain"/>): a ring of the last <see cref="History"/> versions of its
/// w slice, its v slice, the version, and the gradients staged by pushes not yet ordered. The heavy-ball step is
/// <see cref="HeavyBall.Step"/>: <c>v = mu v - alpha (g + lambda w); w = w + v</c>.
/// </summary>
[ShardPlacement]
public sealed class ShardGrain(ILocalSiloDetails silo) : Grain, IShardGrain
{
    /// <summary>Versions of w kept for consistent reads.</summary>
    public const int History = 16;

    private const int MaxStaged = 128;

    private readonly Dictionary<long, byte[]> _staged = [];
    private readonly Queue<long> _stagedOrder = new();
    private float[][] _ring = [];
    private float[] _v = [];
    private long _version;
    private int _index = -1;
    private bool _initialized;

    /// <inheritdoc/>
    public Task Initialize(ShardInit init)
    {
        var w = FloatBytes.AsFloats(init.W);
        var v = FloatBytes.AsFloats(init.V);
        if (w.Length != v.Length) throw new ArgumentException($"shard {init.JobId}/{init.Index}: w has {w.Length} values, v has {v.Length}");
        if (_ring.Length != History || _ring[0].Length != w.Length)
        {
            _ring = new float[History][];
            for (int i = 0; i < History; i++) _ring[i] = new float[w.Length];
            _v = new float[w.Length];
        }
        _version = init.Version;
        w.CopyTo(_ring[Slot(_version)]);
        v.CopyTo(_v);
        _index = init.Index;
        // Staged pushes survive a rollback: their commits are still valid at the restored version.
        _initialized = true;
        this.DelayDeactivation(TimeSpan.FromDays(1));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<ShardRead> Read(long version)
    {
        if (!_initialized) return Task.FromResult(new ShardRead { Status = ShardStatus.Lost });
        if (version < 0) version = _version;
        if (version > _version || version <= _version - History)
            return Task.FromResult(new ShardRead { Status = ShardStatus.Unavailable, Version = _version });
        return Task.FromResult(new ShardRead { Status = ShardStatus.Ok, Version = version, W = FloatBytes.ToBytes(_ring[Slot(version)]) });
    }

    /// <inheritdoc/>
    public Task Stage(long pushId, byte[] gradient)
    {
        if (!_initialized) return Task.CompletedTask; // the commit will find the shard lost
        if (gradient.Length != _v.Length * sizeof(float))
            throw new ArgumentException($"shard {_index}: gradient slice has {gradient.Length / sizeof(float)} values, the shard holds {_v.Length}");
        if (_staged.TryAdd(pushId, gradient)) _stagedOrder.Enqueue(pushId);
        while (_stagedOrder.Count > MaxStaged) _staged.Remove(_stagedOrder.Dequeue()); // abandoned pushes (their worker died)
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<ShardStatus> Apply(ApplyCommand command)
    {
        if (!_initialized) return Task.FromResult(ShardStatus.Lost);
        if (command.T != _version || !_staged.Remove(command.PushId, out var g))
            return Task.FromResult(ShardStatus.Mismatch);
        var current = _ring[Slot(_version)];
        var next = _ring[Slot(_version + 1)];
        current.AsSpan().CopyTo(next);
        HeavyBall.Step(next, _v, FloatBytes.AsFloats(g), command.Mu, command.Alpha, command.Lambda);
        _version++;
        return Task.FromResult(ShardStatus.Ok);
    }

    /// <inheritdoc/>
    public Task<ShardSnapshot> Snapshot() =>
        Task.FromResult(_initialized
            ? new ShardSnapshot { Status = ShardStatus.Ok, Version = _version, W = FloatBytes.ToBytes(_ring[Slot(_version)]), V = FloatBytes.ToBytes(_v) }
            : new ShardSnapshot { Status = ShardStatus.Lost });

    /// <inheritdoc/>
    public Task<ShardInfo> Info() => Task.FromResult(new ShardInfo
    {
        Index = _index,
        Silo = silo.SiloAddress.ToString(),
        Version = _version,
        Length = _v.Length,
        Initialized = _initialized,
    });

    /// <inheritdoc/>
    public Task Release()
    {
        _initialized = false;
        _staged.Clear();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private static int Slot(long version) => (int)(version % History);
}
