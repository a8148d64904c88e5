using Polyak.Data;
using Polyak.Models;

namespace Polyak.Examples;

/// <summary>
/// A model of our own: linear regression with the Huber loss (quadratic near 0, linear beyond <c>delta</c>), robust to
/// outliers. Polyak needs only the <see cref="IModel"/> contract: one flat parameter vector (here d weights and a bias),
/// the mean loss and mean gradient of a batch, and an evaluation. All scratch memory would live in the workspace (this
/// model needs none), so a gradient evaluation allocates nothing and any number of workers can share the model.
/// </summary>
public sealed class HuberRegression(int features, float delta = 1f) : IModel
{
    /// <inheritdoc/>
    public string Name => "huber";

    /// <inheritdoc/>
    public int ParameterCount => features + 1;

    /// <inheritdoc/>
    public bool IsClassifier => false;

    /// <inheritdoc/>
    public void Initialize(Span<float> w, ulong seed) => w.Clear();

    /// <inheritdoc/>
    public ModelWorkspace CreateWorkspace(int maxBatch, ulong seed) => new NoScratch(maxBatch);

    /// <inheritdoc/>
    public float LossAndGradient(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, Span<float> gradient, ModelWorkspace workspace)
    {
        gradient.Clear();
        double loss = 0;
        foreach (int r in rows)
        {
            var x = data.Row(r);
            float residual = Predict(w, x) - data.Targets![r];
            loss += Huber(residual);
            // d/dr huber(r) = r inside [-delta, delta], +-delta outside.
            float slope = Math.Clamp(residual, -delta, delta) / rows.Length;
            for (int i = 0; i < features; i++) gradient[i] += slope * x[i];
            gradient[features] += slope;
        }
        return (float)(loss / rows.Length);
    }

    /// <inheritdoc/>
    public EvaluationResult Evaluate(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, ModelWorkspace workspace)
    {
        double loss = 0;
        foreach (int r in rows) loss += Huber(Predict(w, data.Row(r)) - data.Targets![r]);
        return new EvaluationResult(rows.Length == 0 ? double.NaN : loss / rows.Length, 0, rows.Length);
    }

    private float Predict(ReadOnlySpan<float> w, ReadOnlySpan<float> x)
    {
        float y = w[features];
        for (int i = 0; i < features; i++) y += w[i] * x[i];
        return y;
    }

    private double Huber(float r) => Math.Abs(r) <= delta ? 0.5 * r * r : delta * (Math.Abs(r) - 0.5 * delta);

    private sealed class NoScratch(int maxBatch) : ModelWorkspace(maxBatch);
}
