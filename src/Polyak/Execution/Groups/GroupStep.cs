using Polyak.Data;
using Polyak.Models;

namespace Polyak.Execution;

/// <summary>
/// One compute group's step, the one mechanism every backend drives (DESIGN section 1): the leader reads the
/// parameters once (<see cref="Read"/>), draws one batch of B rows from the group's own stream (<see cref="Sample"/>),
/// every member computes the mean gradient of its slice (<see cref="Compute"/>, or <see cref="Accept"/> for a member
/// that computed remotely), the slice-weighted mean is the group's gradient (<see cref="Combine"/>), and it is pushed as
/// one update (<see cref="Push"/>). The step owns the group's buffers and its members (<see cref="GroupMember"/>, one
/// seeding rule); a backend decides only where and when each part runs: threads on a barrier, the simulator on its event
/// loop, the cluster in a leader grain. Nothing is allocated per step.
/// </summary>
public sealed class GroupStep
{
    private readonly Dataset _train;
    private readonly GroupMember[] _members;
    private readonly float[][] _gradients;
    private readonly float[] _losses;
    private readonly float[] _sum;

    /// <summary>
    /// Creates the step of group <paramref name="group"/> (of <paramref name="size"/> members, batch <paramref name="batch"/>)
    /// drawing from <paramref name="sampler"/>; <paramref name="cancellation"/> interrupts a long <see cref="Compute"/>
    /// (it throws <see cref="OperationCanceledException"/>; the step's read and batch stay as they were).
    /// </summary>
    public GroupStep(IModel model, Dataset train, int group, int size, int batch, ulong runSeed, BatchSampler sampler,
        CancellationToken cancellation = default)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "a group has at least one member");
        if (batch < size) throw new ArgumentException($"batch {batch} is smaller than the group size {size}: every member needs at least one sample");
        _train = train;
        Group = group;
        Size = size;
        Batch = batch;
        Sampler = sampler;
        int d = model.ParameterCount;
        Parameters = new float[d];
        Rows = new int[batch];
        int slice = BatchSplit.MaxSlice(batch, size);
        _members = new GroupMember[size];
        _gradients = new float[size][];
        for (int m = 0; m < size; m++)
        {
            _members[m] = new GroupMember(model, group * size + m, slice, runSeed, cancellation);
            _gradients[m] = _members[m].Gradient;
        }
        _losses = new float[size];
        _sum = size == 1 ? _gradients[0] : new float[d];
    }

    /// <summary>The index of the group's batch stream: its group index, offset per generation of a replaced cluster leader.</summary>
    public static int StreamIndex(int group, int generation = 0) => group + 4096 * generation;

    /// <summary>Group index.</summary>
    public int Group { get; }

    /// <summary>Members k.</summary>
    public int Size { get; }

    /// <summary>Samples per update B.</summary>
    public int Batch { get; }

    /// <summary>The group's batch stream.</summary>
    public BatchSampler Sampler { get; }

    /// <summary>The parameters the group read (all members compute on them).</summary>
    public float[] Parameters { get; }

    /// <summary>The version <see cref="Parameters"/> belong to.</summary>
    public long ReadVersion { get; private set; }

    /// <summary>The batch's row indices.</summary>
    public int[] Rows { get; }

    /// <summary>Updates this group has pushed (applied).</summary>
    public long Steps { get; set; }

    /// <summary>The group's gradient after <see cref="Combine"/>.</summary>
    public ReadOnlySpan<float> Gradient => _sum;

    /// <summary>The members (member 0 is the leader).</summary>
    public IReadOnlyList<GroupMember> Members => _members;

    /// <summary>Reads the current parameters of <paramref name="server"/>.</summary>
    public void Read(ParameterServer server) => ReadVersion = server.Read(Parameters);

    /// <summary>Sets the read version after the caller filled <see cref="Parameters"/> itself (a cluster reads its shards).</summary>
    public void SetRead(long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        ReadVersion = version;
    }

    /// <summary>Restores an in-flight read (a resumed simulation): parameters, version, batch and steps.</summary>
    public void RestoreRead(ReadOnlySpan<float> parameters, long version, ReadOnlySpan<int> rows, long steps)
    {
        parameters.CopyTo(Parameters);
        rows.CopyTo(Rows);
        SetRead(version);
        Steps = steps;
    }

    /// <summary>Draws the next batch from the group's stream.</summary>
    public void Sample() => Sampler.Next(Rows);

    /// <summary>The rows of member <paramref name="member"/>'s slice of the batch.</summary>
    public ReadOnlySpan<int> MemberRows(int member)
    {
        var (start, length) = BatchSplit.Slice(Batch, Size, member);
        return Rows.AsSpan(start, length);
    }

    /// <summary>Member <paramref name="member"/> computes its slice's mean gradient on the parameters read (members may run concurrently).</summary>
    public void Compute(int member)
    {
        var m = _members[member];
        m.Compute(Parameters, _train, MemberRows(member));
        _losses[member] = m.Loss;
    }

    /// <summary>Takes member <paramref name="member"/>'s result computed elsewhere (a remote worker with the same seeding rule).</summary>
    public void Accept(int member, ReadOnlySpan<float> gradient, float loss)
    {
        var m = _members[member];
        gradient.CopyTo(m.Gradient);
        m.Loss = loss;
        _losses[member] = loss;
    }

    /// <summary>The group's gradient: the slice-weighted mean of the members' (<see cref="BatchSplit.Combine"/>); returns the batch loss.</summary>
    public double Combine() => BatchSplit.Combine(_gradients, _losses, Batch, _sum);

    /// <summary>Pushes the group's gradient to <paramref name="server"/> as one update; returns its staleness.</summary>
    public long Push(ParameterServer server) => server.Apply(_sum, ReadVersion, Parameters);
}
