using Orleans.Concurrency;

namespace Polyak.Cluster.Contracts;

/// <summary>
/// One worker. A group leader (member 0) runs the loop: read every shard at the committed version, draw the
/// group's B-sample batch, send each member its slice, wait at the group barrier (with a deadline), average the
/// gradients, stage the slices on the shards and commit at the sequencer. Members compute their slice on request.
/// Key: <c>{job}/{worker}</c>.
/// </summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Takes the assignment; a leader starts its loop.</summary>
    Task Start(WorkerAssignment assignment);

    /// <summary>Computes the mean loss and gradient of rows <paramref name="rows"/> at parameters <paramref name="w"/>.</summary>
    Task<SliceResult> ComputeSlice(byte[] w, int[] rows);

    /// <summary>The silo this worker runs on.</summary>
    [AlwaysInterleave]
    Task<string> Silo();

    /// <summary>Stops the loop and deactivates.</summary>
    [AlwaysInterleave]
    Task Release();
}
