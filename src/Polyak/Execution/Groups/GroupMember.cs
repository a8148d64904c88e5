using Polyak.Data;
using Polyak.Models;
using Polyak.Numerics;

namespace Polyak.Execution;

/// <summary>
/// One member of a compute group: its gradient buffer, the loss of its last slice and its model workspace, seeded by
/// the worker's index with <see cref="WorkspaceSeed"/> (the one seeding rule, so dropout masks are the same whether the
/// member computes its slice itself, the group's leader computes it for a missing member, or it runs on another backend).
/// The workspace is created on first use. Computing a slice allocates nothing.
/// </summary>
public sealed class GroupMember
{
    private readonly IModel _model;
    private readonly int _maxSlice;
    private readonly CancellationToken _cancellation;
    private ModelWorkspace? _workspace;

    /// <summary>
    /// Creates member <paramref name="worker"/> (global worker index) for slices of up to <paramref name="maxSlice"/> rows;
    /// <paramref name="cancellation"/> interrupts a slice's computation (<see cref="ModelWorkspace.Cancellation"/>).
    /// </summary>
    public GroupMember(IModel model, int worker, int maxSlice, ulong runSeed, CancellationToken cancellation = default)
    {
        _cancellation = cancellation;
        if (maxSlice < 1) throw new ArgumentOutOfRangeException(nameof(maxSlice), maxSlice, "a member's slice holds at least one row");
        _model = model;
        Worker = worker;
        _maxSlice = maxSlice;
        Seed = WorkspaceSeed(runSeed, worker);
        Gradient = new float[model.ParameterCount];
    }

    /// <summary>The seed of worker <paramref name="worker"/>'s model workspace (dropout masks) in a run of seed <paramref name="runSeed"/>.</summary>
    public static ulong WorkspaceSeed(ulong runSeed, int worker) => RandomStream.DeriveSeed(runSeed, 0x3011, (ulong)worker);

    /// <summary>Largest slice the member computes.</summary>
    public int MaxSlice => _maxSlice;

    /// <summary>Global index of the worker.</summary>
    public int Worker { get; }

    /// <summary>Seed of the workspace.</summary>
    public ulong Seed { get; }

    /// <summary>Mean gradient of the last slice.</summary>
    public float[] Gradient { get; }

    /// <summary>Mean loss of the last slice.</summary>
    public float Loss { get; set; }

    /// <summary>The member's workspace (created on first use).</summary>
    public ModelWorkspace Workspace => _workspace ??= CreateWorkspace();

    private ModelWorkspace CreateWorkspace()
    {
        var ws = _model.CreateWorkspace(_maxSlice, Seed);
        ws.Cancellation = _cancellation;
        return ws;
    }

    /// <summary>Computes the mean loss and gradient of <paramref name="rows"/> of <paramref name="data"/> at <paramref name="w"/>.</summary>
    public void Compute(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows) =>
        Loss = _model.LossAndGradient(w, data, rows, Gradient, Workspace);
}
