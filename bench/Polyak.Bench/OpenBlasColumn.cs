using System.Diagnostics;
using System.Globalization;

namespace Polyak.Bench;

/// <summary>
/// OpenBLAS's SGEMM measured in the same run as Polyak's: a <c>/usr/bin/python3 bench/openblas_gemm.py</c> process that
/// times <c>cblas_sgemm</c> (through ctypes, from the system's <c>libblas.so.3</c>) on the shapes it is sent, one line
/// per request. <see cref="TryStart"/> returns null, and <see cref="Unavailable"/> says why, when Python, numpy or the
/// library is missing, so the suite still runs without the column.
/// </summary>
public sealed class OpenBlasColumn : IDisposable
{
    private readonly Process _process;

    private OpenBlasColumn(Process process, string library)
    {
        _process = process;
        Library = library;
    }

    /// <summary>Why the column is empty when <see cref="TryStart"/> returned null.</summary>
    public static string Unavailable { get; private set; } = "";

    /// <summary>The BLAS library the process loaded (resolved path and OpenBLAS configuration string).</summary>
    public string Library { get; }

    /// <summary>Starts the measuring process, or returns null (with <see cref="Unavailable"/> set).</summary>
    public static OpenBlasColumn? TryStart()
    {
        string script = FindScript();
        if (!File.Exists("/usr/bin/python3") || script.Length == 0)
        {
            Unavailable = "not measured (needs /usr/bin/python3 and bench/openblas_gemm.py)";
            return null;
        }
        var info = new ProcessStartInfo("/usr/bin/python3", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info)!;
        string? hello = process.StandardOutput.ReadLine();
        if (hello is null || !hello.StartsWith("blas ", StringComparison.Ordinal))
        {
            string err = process.StandardError.ReadToEnd().Trim();
            process.Kill();
            process.Dispose();
            Unavailable = $"not measured ({(err.Length > 0 ? err.Split('\n')[^1] : "no answer")}; apt-get install python3-numpy libopenblas0-openmp)";
            return null;
        }
        return new OpenBlasColumn(process, hello[5..]);
    }

    /// <summary>GFLOP/s of <c>cblas_sgemm</c> on this shape with this many OpenBLAS threads, or NaN if it failed.</summary>
    public double Measure(GemmCase g, int threads, double seconds)
    {
        _process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(g.Ta ? 1 : 0)} {(g.Tb ? 1 : 0)} {g.M} {g.N} {g.K} {threads} {seconds} {g.A} {g.B} {g.C}"));
        _process.StandardInput.Flush();
        string? answer = _process.StandardOutput.ReadLine();
        return answer is not null && double.TryParse(answer, NumberStyles.Float, CultureInfo.InvariantCulture, out double gflops) ? gflops : double.NaN;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000)) _process.Kill();
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "bench", "openblas_gemm.py");
            if (File.Exists(candidate)) return candidate;
        }
        return "";
    }
}
