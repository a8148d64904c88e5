using Orleans.Runtime;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Cluster.Placement;
using Polyak.Optimization;

namespace Polyak.Cluster.Grains;

/// <summary>
/// A parameter-server shard (see <see cref="IShardGrain"/>): an <see cref="UpdateCore"/> over its slice of the
/// coordinates (the same core as every server's: it checks the order, takes alpha_T from the job's schedule and applies
/// <c>v = mu v - alpha (g + lambda w); w = w + v</c> under the job's staleness policy: the rate scaled, the update
/// dropped, or the gradient delay-compensated with the parameters the worker read), a ring of the last <see cref="History"/> versions of its w slice for
/// consistent reads, and the gradients staged by pushes not yet ordered. The state lives in the silo's
/// <see cref="GrainStateStore"/>, so a duplicate activation on the same silo shares it (each call takes its lock).
/// </summary>
[ShardPlacement]
public sealed class ShardGrain(ILocalSiloDetails silo, GrainStateStore store) : Grain, IShardGrain
{
    /// <summary>Versions of w kept for consistent reads.</summary>
    public const int History = 16;

    /// <summary>
    /// A staged push not applied within this many versions is abandoned (its worker died or its commit was rejected) and
    /// dropped. Eviction is by age, never by count: with count-based eviction (the last 128 stage calls) live pushes were
    /// evicted under load, and each such commit made the sequencer roll every shard back (the recurring "Mismatch"
    /// rollbacks after a shard silo died).
    /// </summary>
    public const long AbandonedAfterVersions = 4096;

    /// <summary>Hard bound on staged pushes (memory safety only; never reached by live pushes).</summary>
    private const int MaxStaged = 65_536;

    private ShardState? _state;

    private ShardState S => _state ??= store.GetOrAdd(this.GetPrimaryKeyString(), () => new ShardState());

    /// <inheritdoc/>
    public Task Initialize(ShardInit init)
    {
        var w = FloatBytes.AsFloats(init.W);
        var v = FloatBytes.AsFloats(init.V);
        if (w.Length != v.Length) throw new ArgumentException($"shard {init.JobId}/{init.Index}: w has {w.Length} values, v has {v.Length}");
        var schedule = LearningRateSchedule.Parse(init.Schedule, init.LearningRate);
        var state = new ServerState(init.Version, init.Momentum, w.ToArray(), v.ToArray(), []);
        var s = S;
        lock (s)
        {
            if (s.Ring.Length != History || s.Ring[0].Length != w.Length)
            {
                s.Ring = new float[History][];
                for (int i = 0; i < History; i++) s.Ring[i] = new float[w.Length];
            }
            s.Core = new UpdateCore(state, init.WeightDecay, schedule, CoordinateSet.Range(init.Offset, w.Length)) { Policy = StalenessPolicy.Parse(init.Policy) };
            if (init.MeanSquare.Length > 0) s.Core.RestoreMeanSquare(FloatBytes.AsFloats(init.MeanSquare));
            w.CopyTo(s.Ring[Slot(init.Version)]);
            // Older versions in the ring belong to a history that was rolled back (or never existed): not readable.
            s.ValidFrom = init.Version;
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
            if (!s.Initialized) return Task.FromResult(new ShardRead { Status = Uninitialized() });
            long latest = s.Core!.Version;
            if (version < 0) version = latest;
            if (version > latest || version <= latest - History || version < s.ValidFrom)
                return Task.FromResult(new ShardRead { Status = ShardStatus.Unavailable, Version = latest });
            return Task.FromResult(new ShardRead { Status = ShardStatus.Ok, Version = version, W = FloatBytes.ToBytes(s.Ring[Slot(version)]) });
        }
    }

    /// <inheritdoc/>
    public Task<ShardStatus> Stage(long pushId, byte[] gradient) => StageCore(pushId, gradient, []);

    /// <inheritdoc/>
    public Task<ShardStatus> StageWithRead(long pushId, byte[] gradient, byte[] readParameters) => StageCore(pushId, gradient, readParameters);

    private Task<ShardStatus> StageCore(long pushId, byte[] gradient, byte[] readParameters)
    {
        var s = S;
        lock (s)
        {
            if (!s.Initialized) return Task.FromResult(Uninitialized());
            var core = s.Core!;
            if (gradient.Length != core.Length * sizeof(float))
                throw new ArgumentException($"shard {s.Index}: gradient slice has {gradient.Length / sizeof(float)} values, the shard holds {core.Length}");
            if (readParameters.Length != 0 && readParameters.Length != gradient.Length)
                throw new ArgumentException($"shard {s.Index}: the read parameters have {readParameters.Length / sizeof(float)} values, the shard holds {core.Length}");
            if (s.Staged.TryAdd(pushId, new StagedPush(gradient, readParameters, core.Version))) s.StagedOrder.Enqueue(pushId);
            // Oldest first: drop ids already applied and pushes abandoned for AbandonedAfterVersions versions.
            while (s.StagedOrder.TryPeek(out long oldest)
                   && (!s.Staged.TryGetValue(oldest, out var push) || push.Version < core.Version - AbandonedAfterVersions || s.StagedOrder.Count > MaxStaged))
                s.Staged.Remove(s.StagedOrder.Dequeue());
        }
        return Task.FromResult(ShardStatus.Ok);
    }

    /// <summary>
    /// An activation without state answers Lost and deactivates when idle: after a silo failure a caller's directory may
    /// still route to a stray activation on another silo, and deactivating it makes the next call resolve the grain
    /// again. The state lives in the silo's store, so an activation that is restored (Initialize) keeps it either way.
    /// </summary>
    private ShardStatus Uninitialized()
    {
        DeactivateOnIdle();
        return ShardStatus.Lost;
    }

    /// <inheritdoc/>
    public Task<ShardStatus> Apply(ApplyCommand command)
    {
        var s = S;
        lock (s)
        {
            if (!s.Initialized) return Task.FromResult(Uninitialized());
            var core = s.Core!;
            if (command.T != core.Version || command.ReadVersion < 0 || command.ReadVersion > command.T) return Task.FromResult(ShardStatus.Mismatch);
            if (!s.Staged.Remove(command.PushId, out var push)) return Task.FromResult(ShardStatus.Missing);
            if (core.Policy.NeedsReadParameters && push.ReadParameters.Length == 0 && !core.Policy.Drops(command.T - command.ReadVersion))
                throw new ArgumentException($"shard {s.Index}: --staleness-policy {core.Policy.Spec} needs the parameters the gradient was computed on; push {command.PushId} was staged without them");
            core.Momentum = command.Mu;
            core.Apply(FloatBytes.AsFloats(push.Gradient), command.ReadVersion, FloatBytes.AsFloats(push.ReadParameters));
            core.W.CopyTo(s.Ring[Slot(core.Version)]);
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
                ? new ShardSnapshot
                {
                    Status = ShardStatus.Ok, Version = s.Core!.Version, W = FloatBytes.ToBytes(s.Core.W), V = FloatBytes.ToBytes(s.Core.V),
                    MeanSquare = s.Core.MeanSquare is { } ms ? FloatBytes.ToBytes(ms) : [],
                }
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
                Version = s.Core?.Version ?? 0,
                Length = s.Core?.Length ?? 0,
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

    /// <summary>A staged gradient slice, the parameters it was computed on (empty unless delay compensation needs them) and the shard's version when it arrived.</summary>
    private readonly record struct StagedPush(byte[] Gradient, byte[] ReadParameters, long Version);

    /// <summary>The shard's data, shared by every activation of this shard on this silo.</summary>
    private sealed class ShardState
    {
        public readonly Dictionary<long, StagedPush> Staged = [];
        public readonly Queue<long> StagedOrder = new();
        public float[][] Ring = [];
        public UpdateCore? Core;
        public long ValidFrom;
        public int Index = -1;
        public bool Initialized;
    }
}
