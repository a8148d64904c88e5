using Polyak.Data;
using Polyak.Models;
using Polyak.Numerics;

namespace Polyak.Theory;

/// <summary>
/// The deterministic objective of the theory check: <c>f(w) = 1/2 sum_i h_i w_i^2</c> over the first d coordinates
/// (known diagonal Hessian H = diag(h), optimum 0, start w = 1), optionally with Gaussian gradient noise of standard
/// deviation <see cref="Noise"/>, plus one "clock" coordinate whose gradient is always -1, so it grows strictly with
/// every update. The gradient of the quadratic part is switched on only for reads whose clock has reached
/// <see cref="GateThreshold"/> (version W): the staleness process runs to stationarity while w stays at its start,
/// which makes the model's history "w_t = w_0 for t &lt;= W" exact. Every gradient is a pure function of the read
/// snapshot (and the worker's noise stream), as the simulator requires.
/// </summary>
public sealed class GatedQuadratic : IModel
{
    /// <summary>Creates the objective with Hessian eigenvalues <paramref name="eigenvalues"/>.</summary>
    public GatedQuadratic(double[] eigenvalues, float gateThreshold, double noise = 0)
    {
        if (eigenvalues.Length == 0 || eigenvalues.Any(h => !(h > 0) || double.IsInfinity(h)))
            throw new ArgumentException("the quadratic needs at least one positive finite eigenvalue");
        if (!(noise >= 0) || double.IsInfinity(noise)) throw new ArgumentException($"gradient noise must be >= 0, got {noise}");
        Eigenvalues = eigenvalues;
        _h = eigenvalues.Select(x => (float)x).ToArray();
        GateThreshold = gateThreshold;
        Noise = noise;
    }

    private readonly float[] _h;

    /// <summary>Hessian eigenvalues h_i.</summary>
    public double[] Eigenvalues { get; }

    /// <summary>Number of quadratic coordinates d (the clock is coordinate d).</summary>
    public int Dimension => Eigenvalues.Length;

    /// <summary>Clock value from which the quadratic's gradient is on.</summary>
    public float GateThreshold { get; }

    /// <summary>Standard deviation of the per-coordinate gradient noise.</summary>
    public double Noise { get; }

    /// <inheritdoc/>
    public string Name => "gated-quadratic";

    /// <inheritdoc/>
    public int ParameterCount => Dimension + 1;

    /// <inheritdoc/>
    public bool IsClassifier => false;

    /// <summary>
    /// The clock's value after <paramref name="updates"/> heavy-ball updates with gradient -1 (same float arithmetic as
    /// the server); the gate for version W is the midpoint between the values at W - 1 and W.
    /// </summary>
    public static float ClockThreshold(int updates, float alpha, float mu)
    {
        if (updates < 1) return float.NegativeInfinity;
        // The clock coordinate alone, updated by the server's own core.
        var clock = new Optimization.UpdateCore(Optimization.ServerState.Initial([0f], mu), 0, Optimization.LearningRateSchedule.Constant(alpha));
        ReadOnlySpan<float> g = [-1f];
        float previous = 0;
        for (int t = 0; t < updates; t++)
        {
            previous = clock.W[0];
            clock.Apply(g, t);
        }
        return previous + 0.5f * (clock.W[0] - previous);
    }

    /// <inheritdoc/>
    public void Initialize(Span<float> w, ulong seed)
    {
        w[..Dimension].Fill(1f);
        w[Dimension] = 0f;
    }

    /// <inheritdoc/>
    public ModelWorkspace CreateWorkspace(int maxBatch, ulong seed) => new Workspace(maxBatch, seed);

    /// <inheritdoc/>
    public float LossAndGradient(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, Span<float> gradient, ModelWorkspace workspace)
    {
        int d = Dimension;
        bool on = w[d] >= GateThreshold;
        var random = ((Workspace)workspace).Random;
        double loss = 0;
        for (int i = 0; i < d; i++)
        {
            loss += 0.5 * _h[i] * w[i] * w[i];
            float noise = Noise > 0 ? (float)(Noise * random.NextGaussian()) : 0f;
            gradient[i] = on ? _h[i] * w[i] + noise : 0f;
        }
        gradient[d] = -1f;
        return (float)loss;
    }

    /// <inheritdoc/>
    public EvaluationResult Evaluate(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, ModelWorkspace workspace)
    {
        double loss = 0;
        for (int i = 0; i < Dimension; i++) loss += 0.5 * _h[i] * w[i] * w[i];
        return new EvaluationResult(loss, 0, rows.Length);
    }

    /// <summary>A one-row placeholder data set (the objective ignores its data).</summary>
    public static DataSplit PlaceholderData()
    {
        var set = new Dataset("quadratic/placeholder", [0f], 1, null, 0, [0f]);
        return new DataSplit(set, set, [0], "deterministic quadratic (no data)");
    }

    private sealed class Workspace(int maxBatch, ulong seed) : ModelWorkspace(maxBatch)
    {
        public RandomStream Random { get; } = new(seed);
    }
}
