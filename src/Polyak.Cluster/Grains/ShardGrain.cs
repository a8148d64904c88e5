using Orleans.Runtime;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Cluster.Placement;
using Polyak.Optimization;

namespace Polyak.Cluster.Grains;

/// <summary>
/// A parameter-server shard (see <see cref="IShardGrain"/>): a ring of the last <see cref="History"/> versions of its
/// w slice, its v slice, the version, and the gradients staged by pushes not yet ordered. The heavy-ball step is
/// <see cref="HeavyBall.Step"/>: <c>v = mu v - alpha (g + lambda w); w = w + v</c>. The state lives in the silo's
/// <see cref="GrainStateStore"/>, so a duplicate activation on the same silo shares it (each call takes its lock).
/// </summary>
[ShardPlacement]
public sealed class ShardGrain(ILocalSiloDetails silo, GrainStateStore store) : Grain, IShardGrain
{
    /// <summary>Versions of w kept for consistent reads.</summary>
    public const int History = 16;

    private const int MaxStaged = 128;

    private ShardState? _state;

    private ShardState S => _state ??= store.GetOrAdd(this.GetPrimaryKeyString(), () => new ShardState());

    /// <inheritdoc/>
    public Task Initialize(ShardInit init)
    {
        var w = FloatBytes.AsFloats(init.W);
        var v = FloatBytes.AsFloats(init.V);
        if (w.Length != v.Length) throw new ArgumentException($"shard {init.JobId}/{init.Index}: w has {w.Length} values, v has {v.Length}");
        var s = S;
        lock (s)
        {
            if (s.Ring.Length != History || s.Ring[0].Length != w.Length)
            {
                s.Ring = new float[History][];
                for (int i = 0; i < History; i++) s.Ring[i] = new float[w.Length];
                s.V = new float[w.Length];
            }
            s.Version = init.Version;
            w.CopyTo(s.Ring[Slot(s.Version)]);
            v.CopyTo(s.V);
            s.Index = init.Index;
            // Staged pushes survive a rollback: their commits are still valid at the restored version.
            s.Initialized = true;
        }
        this.DelayDeactivation(TimeSpan.FromDays(1));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<ShardRead> Read(long version)
    {
        var s = S;
        lock (s)
        {
            if (!s.Initialized) return Task.FromResult(new ShardRead { Status = ShardStatus.Lost });
            if (version < 0) version = s.Version;
            if (version > s.Version || version <= s.Version - History)
                return Task.FromResult(new ShardRead { Status = ShardStatus.Unavailable, Version = s.Version });
            return Task.FromResult(new ShardRead { Status = ShardStatus.Ok, Version = version, W = FloatBytes.ToBytes(s.Ring[Slot(version)]) });
        }
    }

    /// <inheritdoc/>
    public Task Stage(long pushId, byte[] gradient)
    {
        var s = S;
        lock (s)
        {
            if (!s.Initialized) return Task.CompletedTask; // the commit will find the shard lost
            if (gradient.Length != s.V.Length * sizeof(float))
                throw new ArgumentException($"shard {s.Index}: gradient slice has {gradient.Length / sizeof(float)} values, the shard holds {s.V.Length}");
            if (s.Staged.TryAdd(pushId, gradient)) s.StagedOrder.Enqueue(pushId);
            while (s.StagedOrder.Count > MaxStaged) s.Staged.Remove(s.StagedOrder.Dequeue()); // abandoned pushes (their worker died)
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<ShardStatus> Apply(ApplyCommand command)
    {
        var s = S;
        lock (s)
        {
            if (!s.Initialized) return Task.FromResult(ShardStatus.Lost);
            if (command.T != s.Version || !s.Staged.Remove(command.PushId, out var g))
                return Task.FromResult(ShardStatus.Mismatch);
            var current = s.Ring[Slot(s.Version)];
            var next = s.Ring[Slot(s.Version + 1)];
            current.AsSpan().CopyTo(next);
            HeavyBall.Step(next, s.V, FloatBytes.AsFloats(g), command.Mu, command.Alpha, command.Lambda);
            s.Version++;
            return Task.FromResult(ShardStatus.Ok);
        }
    }

    /// <inheritdoc/>
    public Task<ShardSnapshot> Snapshot()
    {
        var s = S;
        lock (s)
        {
            return Task.FromResult(s.Initialized
                ? new ShardSnapshot { Status = ShardStatus.Ok, Version = s.Version, W = FloatBytes.ToBytes(s.Ring[Slot(s.Version)]), V = FloatBytes.ToBytes(s.V) }
                : new ShardSnapshot { Status = ShardStatus.Lost });
        }
    }

    /// <inheritdoc/>
    public Task<ShardInfo> Info()
    {
        var s = S;
        lock (s)
        {
            return Task.FromResult(new ShardInfo
            {
                Index = s.Index,
                Silo = silo.SiloAddress.ToString(),
                Version = s.Version,
                Length = s.V.Length,
                Initialized = s.Initialized,
            });
        }
    }

    /// <inheritdoc/>
    public Task Release()
    {
        var s = S;
        lock (s)
        {
            s.Initialized = false;
            s.Staged.Clear();
        }
        store.Remove<ShardState>(this.GetPrimaryKeyString());
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private static int Slot(long version) => (int)(version % History);

    /// <summary>The shard's data, shared by every activation of this shard on this silo.</summary>
    private sealed class ShardState
    {
        public readonly Dictionary<long, byte[]> Staged = [];
        public readonly Queue<long> StagedOrder = new();
        public float[][] Ring = [];
        public float[] V = [];
        public long Version;
        public int Index = -1;
        public bool Initialized;
    }
}
