using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Polyak.Numerics;

/// <summary>
/// Single-precision general matrix multiply on row-major matrices:
/// <c>C = alpha * op(A) * op(B) + beta * C</c> with <c>op(X) = X</c> or <c>X^T</c>, <c>op(A)</c> of shape m x k,
/// <c>op(B)</c> of shape k x n and <c>C</c> of shape m x n. Blocked and packed in the BLIS manner
/// (panels of B in L3, blocks of A in L2, register tiles of C) with Vector512 or Vector256 FMA micro-kernels
/// and a portable scalar kernel. Which kernels this machine can run is decided by one rule,
/// <see cref="IsAvailable(GemmKernel)"/>; <see cref="DefaultKernel"/> is the best of <see cref="AvailableKernels"/>, and
/// asking for any other kernel throws rather than quietly running a different one. Packing buffers are per thread and
/// reused, so a call allocates nothing after warm-up; with <c>threads = 2</c> large products are split across the
/// caller and one helper thread.
/// </summary>
public static partial class Gemm
{
    /// <summary>Rows of op(A) per packed block (a multiple of every kernel's MR).</summary>
    internal const int BlockM = 144;

    /// <summary>Depth per packed block.</summary>
    internal const int BlockK = 256;

    /// <summary>Columns of op(B) per packed panel (a multiple of every kernel's NR).</summary>
    internal const int BlockN = 3072;

    /// <summary>Products with fewer multiply-adds than this run on one thread even when two are allowed.</summary>
    internal const long ParallelThreshold = 1L << 21;

    /// <summary>
    /// True when this machine runs <paramref name="kernel"/> in hardware: the runtime accelerates its vector width
    /// (<c>VectorNNN.IsHardwareAccelerated</c>, which also honours <c>DOTNET_PreferredVectorBitWidth</c> and the
    /// <c>DOTNET_Enable*</c> switches) and the CPU has fused multiply-add at that width (AVX-512F for Vector512, FMA3
    /// for Vector256; without it the kernels' FusedMultiplyAdd would be emulated in software). Scalar always runs.
    /// </summary>
    public static bool IsAvailable(GemmKernel kernel) => kernel switch
    {
        GemmKernel.Scalar => true,
        GemmKernel.Vector256 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        GemmKernel.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        _ => false,
    };

    /// <summary>The kernels this machine can run (by <see cref="IsAvailable(GemmKernel)"/>), from Scalar to the widest.</summary>
    public static IReadOnlyList<GemmKernel> AvailableKernels { get; } =
        Array.AsReadOnly(new[] { GemmKernel.Scalar, GemmKernel.Vector256, GemmKernel.Vector512 }.Where(IsAvailable).ToArray());

    /// <summary>The micro-kernel family this machine runs by default: the widest of <see cref="AvailableKernels"/>.</summary>
    public static GemmKernel DefaultKernel { get; } = AvailableKernels[^1];

    /// <summary>What this machine offers, for messages: the inputs of <see cref="IsAvailable(GemmKernel)"/> and the resulting kernels.</summary>
    public static string HostDescription =>
        $"Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated}, Avx512F={Avx512F.IsSupported}, "
        + $"Vector256.IsHardwareAccelerated={Vector256.IsHardwareAccelerated}, Fma={Fma.IsSupported}; "
        + $"available kernels: {string.Join(", ", AvailableKernels)}";

    /// <summary>
    /// <c>C = alpha * op(A) * op(B) + beta * C</c>. <paramref name="lda"/>, <paramref name="ldb"/>, <paramref name="ldc"/>
    /// are the row strides of the stored (untransposed) matrices. <paramref name="threads"/> is 1 or 2.
    /// </summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int threads = 1)
        => Multiply(DefaultKernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);

    /// <summary>
    /// As <see cref="Multiply(bool,bool,int,int,int,float,ReadOnlySpan{float},int,ReadOnlySpan{float},int,float,Span{float},int,int)"/>
    /// with an explicit kernel family (tests use it to cover every path). The kernel runs exactly as asked: one this
    /// machine cannot run (see <see cref="AvailableKernels"/>) throws <see cref="PlatformNotSupportedException"/>.
    /// </summary>
    public static unsafe void Multiply(GemmKernel kernel, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int threads = 1)
    {
        if (!IsAvailable(kernel)) ThrowUnavailable(kernel);
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var job = new Job(kernel, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            if (threads >= 2 && (long)m * n * k >= ParallelThreshold) GemmHelper.RunSplit(job);
            else job.Run(0, m, 0, n);
        }
    }

    private static void ThrowUnavailable(GemmKernel kernel)
    {
        if (!Enum.IsDefined(kernel)) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "gemm: no such kernel");
        string needs = kernel == GemmKernel.Vector512 ? "Vector512 acceleration and AVX-512F" : "Vector256 acceleration and FMA";
        throw new PlatformNotSupportedException($"gemm: the {kernel} kernel needs {needs}, which this machine does not offer ({HostDescription})");
    }

    private static void Validate(bool transA, bool transB, int m, int n, int k, int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"gemm: negative dimension (m={m}, n={n}, k={k})");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        CheckMatrix("A", aRows, aCols, aLen, lda);
        CheckMatrix("B", bRows, bCols, bLen, ldb);
        CheckMatrix("C", m, n, cLen, ldc);
    }

    private static void CheckMatrix(string name, int rows, int cols, int length, int ld)
    {
        if (ld < Math.Max(1, cols)) throw new ArgumentException($"gemm: leading dimension of {name} is {ld}, less than its {cols} columns");
        if (rows > 0 && cols > 0 && (long)(rows - 1) * ld + cols > length)
            throw new ArgumentException($"gemm: {name} needs {(long)(rows - 1) * ld + cols} elements for {rows} x {cols} with stride {ld}, span has {length}");
    }

    /// <summary>One product's arguments; <see cref="Run"/> computes a rectangle of C.</summary>
    internal readonly unsafe struct Job(GemmKernel kernel, bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        public readonly GemmKernel Kernel = kernel;
        public readonly int M = m, N = n;

        /// <summary>Computes rows [m0, m1) and columns [n0, n1) of C.</summary>
        public void Run(int m0, int m1, int n0, int n1)
        {
            if (m1 <= m0 || n1 <= n0) return;
            if (k == 0 || alpha == 0)
            {
                ScaleC(m0, m1, n0, n1);
                return;
            }
            // beta = 0: the first depth block stores its tiles instead of adding them, so C is neither cleared nor read.
            if (beta != 0) ScaleC(m0, m1, n0, n1);
            var (mr, nr) = Kernel switch
            {
                GemmKernel.Vector512 => (Mr512, Nr512),
                GemmKernel.Vector256 => (Mr256, Nr256),
                _ => (MrScalar, NrScalar),
            };
            // Equal depth blocks (800 = 4 x 200, not 3 x 256 + 32): a short last block would pay the tile's C
            // load and store over too few multiply-adds.
            int kBlocks = (k + BlockK - 1) / BlockK;
            int kcMax = (k + kBlocks - 1) / kBlocks;
            var buffers = PackBuffers.ForThread();
            float* packA = buffers.A;
            // With a single block of rows every element of op(B) is used once per depth block: a row-major B with a
            // harmless stride is read in place (only a ragged last sliver is packed), which costs less than packing it.
            bool inPlaceB = m1 - m0 <= BlockM && !transB && HarmlessStride(ldb);
            int panelColumns = inPlaceB ? nr : (Math.Min(BlockN, n1 - n0) + nr - 1) / nr * nr;
            float* packB = buffers.B((long)kcMax * panelColumns);
            float* edge = stackalloc float[MaxTile];
            for (int jc = n0; jc < n1; jc += BlockN)
            {
                int nc = Math.Min(BlockN, n1 - jc);
                for (int pc = 0; pc < k; pc += kcMax)
                {
                    int kc = Math.Min(kcMax, k - pc);
                    bool overwrite = beta == 0 && pc == 0;
                    if (!inPlaceB) PackB(packB, pc, kc, jc, nc, nr);
                    for (int ic = m0; ic < m1; ic += BlockM)
                    {
                        int mcb = Math.Min(BlockM, m1 - ic);
                        PackA(packA, ic, mcb, pc, kc, mr);
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int nrb = Math.Min(nr, nc - jr);
                            float* bp = packB + (long)jr * kc;
                            int bStride = nr;
                            if (inPlaceB)
                            {
                                if (nrb == nr)
                                {
                                    bp = b + (long)pc * ldb + jc + jr;
                                    bStride = ldb;
                                }
                                else
                                {
                                    PackB(packB, pc, kc, jc + jr, nrb, nr);
                                    bp = packB;
                                }
                            }
                            for (int ir = 0; ir < mcb; ir += mr)
                            {
                                int mrb = Math.Min(mr, mcb - ir);
                                float* ap = packA + (long)ir * kc;
                                float* cp = c + (long)(ic + ir) * ldc + jc + jr;
                                if (nrb == nr && (mrb == mr || Kernel != GemmKernel.Scalar)) Tile(mrb, ap, bp, bStride, kc, cp, ldc, overwrite);
                                else
                                {
                                    new Span<float>(edge, mr * nr).Clear();
                                    Tile(mr, ap, bp, bStride, kc, edge, nr, false);
                                    for (int i = 0; i < mrb; i++)
                                    {
                                        float* row = cp + (long)i * ldc;
                                        float* e = edge + i * nr;
                                        if (overwrite) for (int j = 0; j < nrb; j++) row[j] = e[j];
                                        else for (int j = 0; j < nrb; j++) row[j] += e[j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// True when reading a row-major B in place is cheap: its row stride in bytes is not a multiple of 4 KiB, so
        /// the rows a sliver walks do not all fall into the same L1/L2 sets (and 4K-alias each other). Strides like
        /// 4096 floats (a whole-batch convolution's column matrix) thrash the caches when read in place; they are packed.
        /// </summary>
        private static bool HarmlessStride(int ld) => ((long)ld * sizeof(float)) % 4096 != 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Tile(int rows, float* ap, float* bp, int bStride, int kc, float* cp, int ldcTile, bool overwrite)
        {
            switch (Kernel)
            {
                case GemmKernel.Vector512: Tile512(rows, ap, bp, bStride, kc, cp, ldcTile, overwrite); break;
                case GemmKernel.Vector256: Tile256(rows, ap, bp, bStride, kc, cp, ldcTile, overwrite); break;
                default: KernelScalar(ap, bp, bStride, kc, cp, ldcTile, overwrite); break;
            }
        }

        /// <summary>
        /// Packing uses 8 x 8 AVX transposes for the vector kernels only, so the Scalar kernel is the portable path in
        /// full. Every vector kernel's availability implies AVX (FMA3 and AVX-512F both do), so for a vector kernel this
        /// is always true; the <c>Avx.IsSupported</c> term is what makes the AVX instructions safe to emit here.
        /// </summary>
        private bool AvxPacking => Kernel != GemmKernel.Scalar && Avx.IsSupported;

        private void ScaleC(int m0, int m1, int n0, int n1)
        {
            if (beta == 1) return;
            for (int i = m0; i < m1; i++)
            {
                var row = new Span<float>(c + (long)i * ldc + n0, n1 - n0);
                if (beta == 0) row.Clear();
                else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
            }
        }

        /// <summary>Packs alpha * op(A)[ic.., pc..] into slivers of <paramref name="mr"/> rows, depth-major; a ragged sliver's padding rows are never used.</summary>
        private void PackA(float* dst, int ic, int mc, int pc, int kc, int mr)
        {
            bool transposed = !transA && (mr % 8 == 0 || mr <= 8) && AvxPacking;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                float* d = dst + (long)ir * kc;
                if (transposed)
                    PackTransposed(a + (long)(ic + ir) * lda + pc, lda, rows, kc, d, mr, alpha);
                else if (!transA)
                {
                    // op(A)[i, p] = a[i * lda + p]
                    for (int i = 0; i < rows; i++)
                    {
                        float* src = a + (long)(ic + ir + i) * lda + pc;
                        for (int p = 0; p < kc; p++) d[p * mr + i] = alpha * src[p];
                    }
                }
                else
                {
                    // op(A)[i, p] = a[p * lda + i]: contiguous in i (full slivers copied with vectors, never reading past a row)
                    var scale = Vector128.Create(alpha);
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = a + (long)(pc + p) * lda + ic + ir;
                        float* dp = d + p * mr;
                        int i = 0;
                        if (rows == mr && AvxPacking)
                            for (; i <= rows - 4; i += 4) Sse.Store(dp + i, Sse.Multiply(Sse.LoadVector128(src + i), scale));
                        for (; i < rows; i++) dp[i] = alpha * src[i];
                    }
                }
                if (rows < mr && !transposed)
                    for (int p = 0; p < kc; p++)
                        for (int i = rows; i < mr; i++) d[p * mr + i] = 0;
            }
        }

        /// <summary>Packs op(B)[pc.., jc..] into slivers of <paramref name="nr"/> columns, depth-major; a ragged sliver's padding columns are never stored.</summary>
        private void PackB(float* dst, int pc, int kc, int jc, int nc, int nr)
        {
            for (int jr = 0; jr < nc; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                float* d = dst + (long)jr * kc;
                if (!transB)
                {
                    // op(B)[p, j] = b[p * ldb + j]: contiguous in j
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = b + (long)(pc + p) * ldb + jc + jr;
                        float* dp = d + p * nr;
                        // Inline 256-bit copies: a Memmove call per 64-byte row costs more than the copy.
                        if (cols == nr && AvxPacking) for (int j = 0; j < nr; j += 8) Avx.Store(dp + j, Avx.LoadVector256(src + j));
                        else if (cols == nr) for (int j = 0; j < nr; j++) dp[j] = src[j];
                        else
                        {
                            for (int j = 0; j < cols; j++) dp[j] = src[j];
                            for (int j = cols; j < nr; j++) dp[j] = 0;
                        }
                    }
                }
                else if (nr % 8 == 0 && AvxPacking)
                    PackTransposed(b + (long)(jc + jr) * ldb + pc, ldb, cols, kc, d, nr, 1f);
                else
                {
                    // op(B)[p, j] = b[j * ldb + p]
                    for (int j = 0; j < cols; j++)
                    {
                        float* src = b + (long)(jc + jr + j) * ldb + pc;
                        for (int p = 0; p < kc; p++) d[p * nr + j] = src[p];
                    }
                    for (int j = cols; j < nr; j++)
                        for (int p = 0; p < kc; p++) d[p * nr + j] = 0;
                }
            }
        }
    }

    /// <summary>
    /// Per-thread packing buffers: pinned managed arrays (collected with their thread), 64-byte aligned. The B panel grows
    /// on demand to the largest panel this thread has packed, so threads that only see small products stay small.
    /// </summary>
    private sealed unsafe class PackBuffers
    {
        [ThreadStatic] private static PackBuffers? _current;

        // 16 floats of alignment slack and 16 of spill room for the transposes of 6-row slivers (PackTransposed).
        private readonly float[] _a = GC.AllocateUninitializedArray<float>(BlockM * BlockK + 32, pinned: true);
        private float[] _b = [];

        private PackBuffers() => A = Align(_a);

        public float* A { get; }

        public static PackBuffers ForThread() => _current ??= new PackBuffers();

        /// <summary>A B panel of at least <paramref name="floats"/> values.</summary>
        public float* B(long floats)
        {
            if (_b.Length < floats + 16) _b = GC.AllocateUninitializedArray<float>((int)Math.Min(BlockK * (long)BlockN, floats) + 16, pinned: true);
            return Align(_b);
        }

        private static float* Align(float[] array)
        {
            nint p = (nint)Unsafe.AsPointer(ref array[0]);
            return (float*)((p + 63) & ~(nint)63);
        }
    }
}
