using System.Diagnostics;
using System.Globalization;
using Polyak.Numerics;

namespace Polyak.Bench;

/// <summary>
/// GEMM throughput (GFLOP/s) on square and on the network-shaped products, 1 and 2 threads, for the default kernel or
/// the kernels named; each table is headed by the kernel that actually ran (an unavailable one is refused, not replaced).
/// </summary>
public sealed class GemmSuite : IBenchmarkSuite
{
    /// <inheritdoc/>
    public string Name => "gemm";

    /// <inheritdoc/>
    public string Description => "SGEMM GFLOP/s, 1 and 2 threads: square sizes and the mlp/lenet shapes (args: [seconds-per-case] [kernel,kernel,...|all (default: the default kernel)])";

    /// <summary>Reference peak per core (OpenBLAS SGEMM on this machine) for the percentage column.</summary>
    private const double PeakPerCore = 100.0;

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 0.5;
        GemmKernel[] kernels;
        if (args.Length < 2) kernels = [Gemm.DefaultKernel];
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
        var cases = new (string Name, bool Ta, bool Tb, int M, int N, int K)[]
        {
            ("square 256", false, false, 256, 256, 256),
            ("square 512", false, false, 512, 512, 512),
            ("square 1024", false, false, 1024, 1024, 1024),
            ("mlp fc1 fwd  X*W^T", false, true, 64, 256, 784),
            ("mlp fc1 dW  dY^T*X", true, false, 256, 784, 64),
            ("lenet conv1 fwd W*col", false, false, 32, 36864, 25),
            ("lenet conv1 dW dY*col^T", false, true, 32, 25, 36864),
            ("lenet conv2 fwd W*col", false, false, 64, 4096, 800),
            ("lenet conv2 dW dY*col^T", false, true, 64, 800, 4096),
            ("lenet conv2 dcol W^T*dY", true, false, 800, 4096, 64),
        };
        Console.WriteLine($"host: {Gemm.HostDescription}; default kernel {Gemm.DefaultKernel}");
        foreach (var kernel in kernels)
        {
            Console.WriteLine($"kernel that ran: {kernel}{(kernel == Gemm.DefaultKernel ? " (the default)" : "")}; {Environment.ProcessorCount} logical cores; % of {PeakPerCore} GFLOP/s per core");
            Console.WriteLine($"{"case",-26} {"m",6} {"n",6} {"k",6} {"1 thread",10} {"%",5} {"2 threads",10} {"%/core",7}");
            foreach (var c in cases)
            {
                double g1 = Measure(kernel, c.Ta, c.Tb, c.M, c.N, c.K, 1, seconds);
                double g2 = Measure(kernel, c.Ta, c.Tb, c.M, c.N, c.K, 2, seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{c.Name,-26} {c.M,6} {c.N,6} {c.K,6} {g1,10:F1} {100 * g1 / PeakPerCore,5:F0} {g2,10:F1} {100 * g2 / (2 * PeakPerCore),7:F0}"));
            }
        }
        return 0;
    }

    private static double Measure(GemmKernel kernel, bool ta, bool tb, int m, int n, int k, int threads, double seconds)
    {
        var a = new float[m * k];
        var b = new float[k * n];
        var c = new float[m * n];
        var r = new RandomStream(1);
        for (int i = 0; i < a.Length; i++) a[i] = (float)r.NextDouble();
        for (int i = 0; i < b.Length; i++) b[i] = (float)r.NextDouble();
        int lda = ta ? m : k, ldb = tb ? k : n;
        for (int i = 0; i < 3; i++) Gemm.Multiply(kernel, ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, n, threads);
        var sw = Stopwatch.StartNew();
        long reps = 0;
        double best = double.MaxValue;
        while (sw.Elapsed.TotalSeconds < seconds || reps < 3)
        {
            long t0 = Stopwatch.GetTimestamp();
            Gemm.Multiply(kernel, ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, n, threads);
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
            reps++;
        }
        return 2.0 * m * n * k / best / 1e9;
    }
}
