using Polyak.Numerics;

namespace Polyak.Models.Layers;

/// <summary>Weight initialisations: He (Kaiming) normal for layers followed by ReLU, Glorot (Xavier) uniform otherwise.</summary>
public static class Initialization
{
    /// <summary>He normal: N(0, 2 / fanIn).</summary>
    public static void He(Span<float> w, int fanIn, RandomStream random)
    {
        double std = Math.Sqrt(2.0 / fanIn);
        for (int i = 0; i < w.Length; i++) w[i] = (float)(random.NextGaussian() * std);
    }

    /// <summary>Glorot uniform: U(-a, a) with a = sqrt(6 / (fanIn + fanOut)).</summary>
    public static void Glorot(Span<float> w, int fanIn, int fanOut, RandomStream random)
    {
        double a = Math.Sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < w.Length; i++) w[i] = (float)((random.NextDouble() * 2 - 1) * a);
    }
}
