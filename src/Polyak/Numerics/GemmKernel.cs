using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Polyak.Numerics;

/// <summary>Micro-kernel family of <see cref="Gemm"/>.</summary>
public enum GemmKernel
{
    /// <summary>Portable scalar loops.</summary>
    Scalar,

    /// <summary>AVX2/FMA-class 256-bit kernel.</summary>
    Vector256,

    /// <summary>AVX-512-class 512-bit kernel.</summary>
    Vector512,
}
