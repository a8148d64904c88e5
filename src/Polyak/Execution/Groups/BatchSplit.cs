using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    /// <summary>
    /// The group gradient: the slice-size-weighted mean of the members' mean gradients, written to <paramref name="sum"/>
    /// (which may be <c>gradients[0]</c> when there is one member); returns the weighted batch loss. Every backend
    /// combines with this one function, so a group's update is bit-identical across backends.
    /// </summary>
    public static double Combine(float[][] gradients, ReadOnlySpan<float> losses, int batch, Span<float> sum)
    {
        int k = gradients.Length;
        if (k == 1)
        {
            if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(sum), ref MemoryMarshal.GetArrayDataReference(gradients[0])))
                gradients[0].AsSpan().CopyTo(sum);
            return losses[0];
        }
        double loss = 0;
        for (int m = 0; m < k; m++)
        {
            float weight = (float)Slice(batch, k, m).Length / batch;
            loss += weight * losses[m];
            if (m == 0) TensorPrimitives.Multiply(gradients[0], weight, sum);
            else TensorPrimitives.MultiplyAdd(gradients[m], weight, sum, sum);
        }
        return loss;
    }

    /// <summary>Largest slice any member gets.</summary>
    public static int MaxSlice(int batch, int members) => (batch + members - 1) / members;
}
