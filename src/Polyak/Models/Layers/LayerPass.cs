using Polyak.Numerics;

namespace Polyak.Models.Layers;

/// <summary>What a layer needs to know about the current pass: batch size, mode, its state and shared scratch.</summary>
public readonly ref struct LayerPass(int batch, bool training, LayerState? state, Span<float> shared, int threads, ulong key = 0,
    CancellationToken cancellation = default)
{
    /// <summary>Cancels the pass: layers whose work is split in chunks check it between them (<see cref="ModelWorkspace.Cancellation"/>).</summary>
    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>Samples in this batch.</summary>
    public int Batch { get; } = batch;

    /// <summary>Training mode (dropout active) or inference.</summary>
    public bool Training { get; } = training;

    /// <summary>This layer's state (null if it has none).</summary>
    public LayerState? State { get; } = state;

    /// <summary>Scratch shared by all layers of the workspace.</summary>
    public Span<float> Shared { get; } = shared;

    /// <summary>Threads a GEMM may use (1 or 2).</summary>
    public int Threads { get; } = threads;

    /// <summary>
    /// Identifies the batch (a hash of its row indices, <see cref="Network.BatchKey"/>). Layers that draw random numbers
    /// (dropout) derive them from their state's seed and this key, so a batch's draws depend on the run seed, the worker
    /// and the rows only, never on how many batches the workspace saw before: a resumed run draws what the
    /// uninterrupted one would have.
    /// </summary>
    public ulong Key { get; } = key;
}
