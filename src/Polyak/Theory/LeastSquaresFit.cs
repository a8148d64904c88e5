namespace Polyak.Theory;

/// <summary>
/// Small dense linear fits in double: least squares (<see cref="Add(ReadOnlySpan{double}, double)"/>, instruments = regressors)
/// or instrumental variables (<see cref="Add(ReadOnlySpan{double}, ReadOnlySpan{double}, double)"/>), solving
/// <c>(Z'X) beta = Z'y</c> by Gaussian elimination with partial pivoting.
/// </summary>
internal sealed class LeastSquaresFit
{
    private readonly int _p;
    private readonly double[] _xtx;
    private readonly double[] _xty;
    private double _yty;
    private long _n;

    public LeastSquaresFit(int parameters)
    {
        _p = parameters;
        _xtx = new double[parameters * parameters];
        _xty = new double[parameters];
    }

    /// <summary>Adds one equation <c>y = x . beta</c> (least squares).</summary>
    public void Add(ReadOnlySpan<double> x, double y) => Add(x, x, y);

    /// <summary>Adds one equation <c>y = x . beta</c> with instruments <paramref name="z"/>.</summary>
    public void Add(ReadOnlySpan<double> z, ReadOnlySpan<double> x, double y)
    {
        for (int a = 0; a < _p; a++)
        {
            _xty[a] += z[a] * y;
            for (int b = 0; b < _p; b++) _xtx[a * _p + b] += z[a] * x[b];
        }
        _yty += y * y;
        _n++;
    }

    /// <summary>Number of equations.</summary>
    public long Count => _n;

    /// <summary>Solves the normal equations; NaNs when singular.</summary>
    public double[] Solve()
    {
        int p = _p;
        var m = (double[])_xtx.Clone();
        var r = (double[])_xty.Clone();
        for (int c = 0; c < p; c++)
        {
            int piv = c;
            for (int i = c + 1; i < p; i++) if (Math.Abs(m[i * p + c]) > Math.Abs(m[piv * p + c])) piv = i;
            if (Math.Abs(m[piv * p + c]) < 1e-300) return Enumerable.Repeat(double.NaN, p).ToArray();
            if (piv != c)
            {
                for (int j = 0; j < p; j++) (m[c * p + j], m[piv * p + j]) = (m[piv * p + j], m[c * p + j]);
                (r[c], r[piv]) = (r[piv], r[c]);
            }
            for (int i = c + 1; i < p; i++)
            {
                double f = m[i * p + c] / m[c * p + c];
                for (int j = c; j < p; j++) m[i * p + j] -= f * m[c * p + j];
                r[i] -= f * r[c];
            }
        }
        var beta = new double[p];
        for (int i = p - 1; i >= 0; i--)
        {
            double s = r[i];
            for (int j = i + 1; j < p; j++) s -= m[i * p + j] * beta[j];
            beta[i] = s / m[i * p + i];
        }
        return beta;
    }

    /// <summary>Residual sum of squares at <paramref name="beta"/>.</summary>
    public double ResidualSumOfSquares(ReadOnlySpan<double> beta)
    {
        double rss = _yty;
        for (int a = 0; a < _p; a++)
        {
            rss -= 2 * beta[a] * _xty[a];
            for (int b = 0; b < _p; b++) rss += beta[a] * beta[b] * _xtx[a * _p + b];
        }
        return Math.Max(0, rss);
    }
}
