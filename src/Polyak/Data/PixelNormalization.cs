using System.Numerics;

namespace Polyak.Data;

/// <summary>How 8-bit pixels become features: <c>unit</c> scales to [0, 1]; <c>standard</c> also subtracts the training
/// set's per-channel mean and divides by its per-channel standard deviation (the same statistics for the test set).</summary>
public enum PixelNormalization
{
    /// <summary>x / 255, in [0, 1] (the default).</summary>
    Unit,

    /// <summary>(x / 255 - mean_c) / std_c with the training set's per-channel statistics.</summary>
    Standard,
}
