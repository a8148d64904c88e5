using System.Globalization;
using Polyak.Numerics;

namespace Polyak.Data;

/// <summary>
/// Deterministic synthetic problems, the embedded default data (no download). Spec:
/// <c>synthetic[:NAME][,key=value...]</c> with NAME one of
/// <list type="bullet">
/// <item><c>mixture</c> (default): C classes, each a mixture of two Gaussian blobs in <c>dim</c> dimensions with
/// overlap, so softmax regression cannot fit it perfectly (keys: classes, dim, n, test, sep).</item>
/// <item><c>binary</c>: the same with 2 classes (for logistic regression).</item>
/// <item><c>images</c>: C x S x S images, one smooth random template per class plus noise (keys: classes, channels, size,
/// n, test, noise); see <see cref="SyntheticImages"/>.</item>
/// <item><c>regression</c>: y = x.w* + noise with x ~ N(0, S), S a random rotation of eigenvalues spaced
/// geometrically from 1 to 1/cond, so the least-squares Hessian has condition number <c>cond</c>
/// (keys: dim, n, test, cond, noise).</item>
/// </list>
/// </summary>
public static class SyntheticData
{
    /// <summary>Names of the generators.</summary>
    public static readonly string[] Names = ["mixture", "binary", "regression", "images"];

    /// <summary>Builds train and test sets for a spec such as <c>synthetic:regression,cond=100</c>.</summary>
    public static (Dataset Train, Dataset Test, string Description) Generate(string spec, ulong seed)
    {
        string body = spec.StartsWith("synthetic", StringComparison.OrdinalIgnoreCase) ? spec["synthetic".Length..] : spec;
        body = body.TrimStart(':');
        if (body.StartsWith(',')) body = body[1..]; // synthetic,key=value: no generator name
        string[] parts = body.Length == 0 ? [] : body.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => p.Length == 0))
            throw new FormatException($"data '{spec}': an empty entry between commas; expected synthetic[:NAME][,key=value...]");
        string name = parts.Length == 0 || parts[0].Contains('=') ? "mixture" : parts[0].ToLowerInvariant();
        var options = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (string p in parts.Skip(parts.Length > 0 && !parts[0].Contains('=') ? 1 : 0))
        {
            int eq = p.IndexOf('=');
            if (eq <= 0 || !double.TryParse(p[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double val) || !double.IsFinite(val))
                throw new FormatException($"data '{spec}': option '{p}' is not key=number");
            options[p[..eq]] = val;
        }
        return name switch
        {
            "mixture" => Mixture(spec, options, seed, defaultClasses: 10),
            "binary" => Mixture(spec, options, seed, defaultClasses: 2),
            "regression" => Regression(spec, options, seed),
            "images" => SyntheticImages.Generate(spec, options, seed),
            _ => throw new FormatException($"unknown synthetic data '{name}' in '{spec}': expected one of {string.Join(", ", Names)}"),
        };
    }

    internal static int GetInt(Dictionary<string, double> o, string key, int def, int min, int max, string spec)
    {
        if (!o.Remove(key, out double v)) return def;
        if (v != Math.Floor(v) || v < min || v > max)
            throw new FormatException($"data '{spec}': {key} must be an integer in [{min}, {max}], got {v.ToString(CultureInfo.InvariantCulture)}");
        return (int)v;
    }

    internal static double GetDouble(Dictionary<string, double> o, string key, double def, double min, double max, string spec)
    {
        if (!o.Remove(key, out double v)) return def;
        if (v < min || v > max)
            throw new FormatException($"data '{spec}': {key} must be in [{min}, {max}], got {v.ToString(CultureInfo.InvariantCulture)}");
        return v;
    }

    internal static void RejectLeftovers(Dictionary<string, double> o, string spec, string allowed)
    {
        if (o.Count > 0)
            throw new FormatException($"data '{spec}': unknown option(s) {string.Join(", ", o.Keys)}; allowed: {allowed}");
    }

    private static (Dataset, Dataset, string) Mixture(string spec, Dictionary<string, double> o, ulong seed, int defaultClasses)
    {
        int classes = GetInt(o, "classes", defaultClasses, 2, 1000, spec);
        int dim = GetInt(o, "dim", 64, 1, 100_000, spec);
        int n = GetInt(o, "n", 20_000, 1, 10_000_000, spec);
        int test = GetInt(o, "test", 5_000, 1, 10_000_000, spec);
        double sep = GetDouble(o, "sep", 1.0, 0, 100, spec);
        RejectLeftovers(o, spec, "classes, dim, n, test, sep");
        if ((long)(n + test) * dim > 400_000_000)
            throw new FormatException($"data '{spec}': {n + test} rows x {dim} features is too large for a synthetic set");

        // Each class owns two blob centres; blob centres are N(0, s^2 I) with s chosen so classes overlap.
        var rng = RandomStream.Derive(seed, 0x5E7, 1);
        int modes = 2;
        double scale = sep * 0.45 / Math.Sqrt(dim);
        var centres = new float[classes * modes * dim];
        for (int i = 0; i < centres.Length; i++) centres[i] = (float)(rng.NextGaussian() * scale);
        Dataset Make(int count, ulong stream, string part)
        {
            var r = RandomStream.Derive(seed, 0x5E7, stream);
            var x = new float[(long)count * dim];
            var y = new int[count];
            for (int i = 0; i < count; i++)
            {
                int c = r.NextInt(classes);
                int m = r.NextInt(modes);
                y[i] = c;
                var centre = centres.AsSpan((c * modes + m) * dim, dim);
                var row = x.AsSpan(i * dim, dim);
                for (int j = 0; j < dim; j++) row[j] = centre[j] + (float)(r.NextGaussian() / Math.Sqrt(dim) * 1.0);
            }
            return new Dataset($"synthetic:{(classes == 2 ? "binary" : "mixture")}/{part}", x, dim, y, classes, null);
        }
        string desc = $"synthetic Gaussian mixture: {classes} classes x {modes} blobs, {dim} features, {n} train / {test} test rows (seed {seed})";
        return (Make(n, 2, "train"), Make(test, 3, "test"), desc);
    }

    private static (Dataset, Dataset, string) Regression(string spec, Dictionary<string, double> o, ulong seed)
    {
        int dim = GetInt(o, "dim", 50, 1, 2000, spec);
        int n = GetInt(o, "n", 10_000, 1, 10_000_000, spec);
        int test = GetInt(o, "test", 2_000, 1, 10_000_000, spec);
        double cond = GetDouble(o, "cond", 100, 1, 1e8, spec);
        double noise = GetDouble(o, "noise", 0.1, 0, 1e6, spec);
        RejectLeftovers(o, spec, "dim, n, test, cond, noise");
        if ((long)(n + test) * dim > 400_000_000)
            throw new FormatException($"data '{spec}': {n + test} rows x {dim} features is too large for a synthetic set");

        var rng = RandomStream.Derive(seed, 0x5E7, 11);
        double[,] q = RandomOrthogonal(dim, rng);
        var sd = new double[dim];
        for (int j = 0; j < dim; j++) sd[j] = Math.Sqrt(dim == 1 ? 1 : Math.Pow(cond, -(double)j / (dim - 1)));
        var wStar = new double[dim];
        for (int j = 0; j < dim; j++) wStar[j] = rng.NextGaussian();

        Dataset Make(int count, ulong stream, string part)
        {
            var r = RandomStream.Derive(seed, 0x5E7, stream);
            var x = new float[(long)count * dim];
            var y = new float[count];
            var z = new double[dim];
            for (int i = 0; i < count; i++)
            {
                for (int j = 0; j < dim; j++) z[j] = r.NextGaussian() * sd[j];
                double target = 0;
                for (int a = 0; a < dim; a++)
                {
                    double s = 0;
                    for (int b = 0; b < dim; b++) s += q[a, b] * z[b];
                    x[i * dim + a] = (float)s;
                    target += s * wStar[a];
                }
                y[i] = (float)(target + noise * r.NextGaussian());
            }
            return new Dataset($"synthetic:regression/{part}", x, dim, null, 0, y);
        }
        string desc = $"synthetic linear regression: {dim} features, condition number {cond.ToString("G4", CultureInfo.InvariantCulture)}, noise {noise.ToString(CultureInfo.InvariantCulture)}, {n} train / {test} test rows (seed {seed})";
        return (Make(n, 12, "train"), Make(test, 13, "test"), desc);
    }

    /// <summary>A random orthogonal matrix (Gram-Schmidt on a Gaussian matrix).</summary>
    private static double[,] RandomOrthogonal(int d, RandomStream rng)
    {
        var m = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) m[i, j] = rng.NextGaussian();
        for (int c = 0; c < d; c++)
        {
            for (int p = 0; p < c; p++)
            {
                double dot = 0;
                for (int r = 0; r < d; r++) dot += m[r, c] * m[r, p];
                for (int r = 0; r < d; r++) m[r, c] -= dot * m[r, p];
            }
            double norm = 0;
            for (int r = 0; r < d; r++) norm += m[r, c] * m[r, c];
            norm = Math.Sqrt(norm);
            for (int r = 0; r < d; r++) m[r, c] /= norm;
        }
        return m;
    }
}
