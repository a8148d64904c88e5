using System.Diagnostics;
using System.Globalization;
using Polyak.Numerics;

namespace Polyak.Bench;

/// <summary>
/// GEMM throughput (GFLOP/s) on square and on the network-shaped products, 1 and 2 threads, for the default kernel or
/// the kernels named; each table is headed by the kernel that actually ran (an unavailable one is refused, not replaced).
/// Next to every cell, OpenBLAS's cblas_sgemm on the same shape and thread count, measured in the same run by
/// <c>bench/openblas_gemm.py</c> (see <see cref="OpenBlasColumn"/>).
/// </summary>
public sealed class GemmSuite : IBenchmarkSuite
{
    /// <inheritdoc/>
    public string Name => "gemm";

    /// <inheritdoc/>
    public string Description => "SGEMM GFLOP/s, 1 and 2 threads: square sizes and the mlp/lenet shapes (args: [seconds-per-case] [kernel,kernel,...|all|default] [case-filter,...])";

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 0.5;
        GemmKernel[] kernels;
        if (args.Length < 2 || args[1] == "default") kernels = [Gemm.DefaultKernel];
        else if (args[1] == "all") kernels = [.. Gemm.AvailableKernels];
        else
        {
            var names = args[1].Split(',');
            var unknown = names.Where(name => !Enum.TryParse<GemmKernel>(name, ignoreCase: true, out _)).ToArray();
            if (unknown.Length > 0)
            {
                Console.Error.WriteLine($"gemm: unknown kernel {string.Join(", ", unknown)}; kernels: {string.Join(", ", Enum.GetNames<GemmKernel>())}, or all");
                return 2;
            }
            kernels = names.Select(name => Enum.Parse<GemmKernel>(name, ignoreCase: true)).ToArray();
            var missing = kernels.Where(k => !Gemm.IsAvailable(k)).ToArray();
            if (missing.Length > 0)
            {
                Console.Error.WriteLine($"gemm: {string.Join(", ", missing)} not available on this machine ({Gemm.HostDescription})");
                return 2;
            }
        }
        // The network rows are the products the layers really run at batch 64, with their strides: a convolution works
        // chunk by chunk (Conv2dLayer.ChunkFloats keeps the column matrix in L2), so conv2's forward is 64 x 192 x 800
        // per 3-sample chunk, not one 64 x 4096 x 800 product. The whole-batch shapes are kept for comparison.
        var cases = new GemmCase[]
        {
            new("square 256", false, false, 256, 256, 256),
            new("square 512", false, false, 512, 512, 512),
            new("square 1024", false, false, 1024, 1024, 1024),
            new("square 2048", false, false, 2048, 2048, 2048),
            new("mlp fc1 fwd  X*W^T", false, true, 64, 256, 784),
            new("mlp fc1 dW  dY^T*X", true, false, 256, 784, 64),
            new("mlp fc1 dX  dY*W", false, false, 64, 784, 256),
            new("lenet conv1 fwd (chunk)", false, false, 32, 7488, 25, Ldb: 7488, Ldc: 36864),
            new("lenet conv1 dW (chunk)", false, true, 32, 25, 7488, Lda: 36864, Ldb: 7488),
            new("lenet conv2 fwd (chunk)", false, false, 64, 192, 800, Ldb: 192, Ldc: 4096),
            new("lenet conv2 dW (chunk)", false, true, 64, 800, 192, Lda: 4096, Ldb: 192),
            new("lenet conv2 dcol (chunk)", true, false, 800, 192, 64, Ldb: 4096),
            new("lenet fc dX  dY*W", false, false, 64, 1024, 10),
            new("conv2 fwd, whole batch", false, false, 64, 4096, 800),
            new("conv2 dW, whole batch", false, true, 64, 800, 4096),
            new("conv2 dcol, whole batch", true, false, 800, 4096, 64),
        };
        if (args.Length > 2)
        {
            var filters = args[2].Split(',');
            cases = cases.Where(c => filters.Any(f => c.Name.Contains(f, StringComparison.OrdinalIgnoreCase))).ToArray();
        }
        Console.WriteLine($"host: {Gemm.HostDescription}; default kernel {Gemm.DefaultKernel}; {Environment.ProcessorCount} logical cores");
        using var openBlas = OpenBlasColumn.TryStart();
        Console.WriteLine(openBlas is null
            ? $"OpenBLAS column: {OpenBlasColumn.Unavailable}"
            : $"OpenBLAS column: cblas_sgemm from {openBlas.Library}, measured in this run, interleaved case by case");
        foreach (var kernel in kernels)
        {
            Console.WriteLine($"kernel that ran: {kernel}{(kernel == Gemm.DefaultKernel ? " (the default)" : "")}; GFLOP/s, best of repeated calls, {seconds:g} s per cell");
            Console.WriteLine($"{"case",-26} {"m",6} {"n",6} {"k",6} {"1 thread",9} {"OpenBLAS",9} {"%",5} {"2 threads",10} {"OpenBLAS",9} {"%",5}");
            foreach (var c in cases)
            {
                double g1 = Measure(kernel, c, 1, seconds);
                double o1 = openBlas?.Measure(c, 1, seconds) ?? double.NaN;
                double g2 = Measure(kernel, c, 2, seconds);
                double o2 = openBlas?.Measure(c, 2, seconds) ?? double.NaN;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name,-26} {c.M,6} {c.N,6} {c.K,6} {g1,9:F1} {o1,9:F1} {100 * g1 / o1,5:F0} {g2,10:F1} {o2,9:F1} {100 * g2 / o2,5:F0}"));
            }
        }
        return 0;
    }

    private static double Measure(GemmKernel kernel, GemmCase g, int threads, double seconds)
    {
        var (a, b, c) = g.Allocate();
        var r = new RandomStream(1);
        for (int i = 0; i < a.Length; i++) a[i] = (float)r.NextDouble();
        for (int i = 0; i < b.Length; i++) b[i] = (float)r.NextDouble();
        for (int i = 0; i < 3; i++) Gemm.Multiply(kernel, g.Ta, g.Tb, g.M, g.N, g.K, 1f, a, g.A, b, g.B, 0f, c, g.C, threads);
        var sw = Stopwatch.StartNew();
        long reps = 0;
        double best = double.MaxValue;
        while (sw.Elapsed.TotalSeconds < seconds || reps < 3)
        {
            long t0 = Stopwatch.GetTimestamp();
            Gemm.Multiply(kernel, g.Ta, g.Tb, g.M, g.N, g.K, 1f, a, g.A, b, g.B, 0f, c, g.C, threads);
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            reps++;
        }
        return 2.0 * g.M * g.N * g.K / best / 1e9;
    }
}

/// <summary>One benchmarked product: C[m x n] = op(A) op(B), with row strides (0: the matrix's own width).</summary>
public sealed record GemmCase(string Name, bool Ta, bool Tb, int M, int N, int K, int Lda = 0, int Ldb = 0, int Ldc = 0)
{
    /// <summary>Row stride of the stored A.</summary>
    public int A => Lda > 0 ? Lda : Ta ? M : K;

    /// <summary>Row stride of the stored B.</summary>
    public int B => Ldb > 0 ? Ldb : Tb ? K : N;

    /// <summary>Row stride of C.</summary>
    public int C => Ldc > 0 ? Ldc : N;

    /// <summary>Arrays just large enough for the stored matrices with their strides.</summary>
    public (float[] A, float[] B, float[] C) Allocate() =>
        (new float[(long)((Ta ? K : M) - 1) * A + (Ta ? M : K)], new float[(long)((Tb ? N : K) - 1) * B + (Tb ? K : N)], new float[(long)(M - 1) * C + N]);
}
