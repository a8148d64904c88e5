using Polyak.Data;

namespace Polyak.Models;

/// <summary>Per-worker scratch memory of a model.</summary>
public abstract class ModelWorkspace
{
    /// <summary>Creates a workspace for batches of up to <paramref name="maxBatch"/> rows.</summary>
    protected ModelWorkspace(int maxBatch)
    {
        if (maxBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxBatch), "batch capacity must be >= 1");
        MaxBatch = maxBatch;
    }

    /// <summary>Largest batch this workspace can hold.</summary>
    public int MaxBatch { get; }

    /// <summary>
    /// Cancels a long gradient evaluation: models check it between layers and between chunks of rows and throw
    /// <see cref="OperationCanceledException"/>, so an interrupted run stops within a fraction of a second even when one
    /// step takes minutes. Set by the backend on its members' workspaces; none by default.
    /// </summary>
    public CancellationToken Cancellation { get; set; }
}
