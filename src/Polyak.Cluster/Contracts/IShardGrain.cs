using Orleans.Concurrency;

namespace Polyak.Cluster.Contracts;

/// <summary>
/// One parameter-server shard: a contiguous slice of w and v. Applies heavy-ball steps strictly in the order the
/// sequencer assigns (update T only on version T) and keeps the last few versions of w so that a worker can read
/// every shard at the same version (a consistent snapshot). Key: <c>{job}/{k}</c>.
/// </summary>
public interface IShardGrain : IGrainWithStringKey
{
    /// <summary>Sets the slice, its previous step and version (start, resume, rollback); drops staged pushes.</summary>
    Task Initialize(ShardInit init);

    /// <summary>Reads the slice at <paramref name="version"/> (-1 = latest).</summary>
    Task<ShardRead> Read(long version);

    /// <summary>Stores a push's gradient slice until the sequencer orders it; <see cref="ShardStatus.Lost"/> when this activation holds no state (the push was not stored).</summary>
    Task<ShardStatus> Stage(long pushId, byte[] gradient);

    /// <summary>
    /// As <see cref="Stage"/>, with the slice of the parameters the gradient was computed on (delay compensation needs
    /// <c>w_read</c>; the worker sends the values it read, so the correction is exact at any staleness).
    /// </summary>
    Task<ShardStatus> StageWithRead(long pushId, byte[] gradient, byte[] readParameters);

    /// <summary>Applies staged push <see cref="ApplyCommand.PushId"/> as update <see cref="ApplyCommand.T"/>.</summary>
    Task<ShardStatus> Apply(ApplyCommand command);

    /// <summary>A copy of w, v and the version.</summary>
    Task<ShardSnapshot> Snapshot();

    /// <summary>Where the shard lives and how far it is.</summary>
    [AlwaysInterleave]
    Task<ShardInfo> Info();

    /// <summary>Forgets the job (deactivates).</summary>
    Task Release();
}
