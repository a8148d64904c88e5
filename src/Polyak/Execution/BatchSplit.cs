namespace Polyak.Execution;

/// <summary>
/// How a compute group of k members splits one mini-batch of B samples: member j takes a contiguous slice whose
/// size differs from the others by at most one, and the group gradient is the slice-size-weighted mean of the
/// members' mean gradients (so it equals the mean gradient over the whole batch, up to float rounding).
/// </summary>
public static class BatchSplit
{
    /// <summary>Start and length of member <paramref name="member"/>'s slice of a batch of <paramref name="batch"/> among <paramref name="members"/>.</summary>
    public static (int Start, int Length) Slice(int batch, int members, int member)
    {
        int baseSize = batch / members, extra = batch % members;
        int start = member * baseSize + Math.Min(member, extra);
        return (start, baseSize + (member < extra ? 1 : 0));
    }

    /// <summary>Largest slice any member gets.</summary>
    public static int MaxSlice(int batch, int members) => (batch + members - 1) / members;
}
