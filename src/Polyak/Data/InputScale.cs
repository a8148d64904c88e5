using System.Numerics.Tensors;
using Polyak.Numerics;

namespace Polyak.Data;

/// <summary>
/// The scale of a data set's inputs as a linear model sees it: the largest eigenvalue of the uncentred second moment
/// <c>E[x x^T]</c>, estimated by power iteration on a fixed sample of rows. Gradient descent on a linear model is
/// stable only for learning rates below a constant over this value, so the default learning rates of the linear models
/// shrink with it (<see cref="Models.ModelDefaults"/>): CIFAR-shaped images, whose bright mean direction makes it about
/// 5x Fashion-MNIST's, no longer diverge in a few updates at the default.
/// </summary>
public static class InputScale
{
    /// <summary>Largest eigenvalue of <c>E[x x^T]</c> over up to <paramref name="sampleRows"/> rows (seeded, deterministic).</summary>
    public static double TopSecondMoment(Dataset data, int sampleRows = 1000, int iterations = 30)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = Math.Min(sampleRows, data.Count), d = data.FeatureCount;
        if (n == 0) return 0;
        var rows = new int[n];
        var random = new RandomStream(0x5CA1E);
        for (int i = 0; i < n; i++) rows[i] = data.Count <= sampleRows ? i : random.NextInt(data.Count);
        var v = new float[d];
        var next = new float[d];
        v.AsSpan().Fill(1f / MathF.Sqrt(d));
        double lambda = 0;
        for (int it = 0; it < iterations; it++)
        {
            // next = (1/n) sum_i x_i (x_i . v)
            next.AsSpan().Clear();
            foreach (int r in rows)
            {
                var x = data.Row(r);
                float dot = TensorPrimitives.Dot(x, v);
                TensorPrimitives.MultiplyAdd(x, dot / n, next, next);
            }
            float norm = TensorPrimitives.Norm(next);
            if (!(norm > 0)) return 0;
            lambda = norm;
            TensorPrimitives.Divide(next, norm, v);
        }
        return lambda;
    }
}
