namespace Polyak.Execution;

/// <summary>
/// Sees every update the parameter server applies, right after it is applied (under the server's lock
/// in the atomic discipline): the new step <c>v_{t+1} = w_{t+1} - w_t</c>, the applied gradient and the step size.
/// Used by the online momentum estimator and the closed-loop momentum controller.
/// </summary>
public interface IUpdateObserver
{
    /// <summary>Called once per applied update.</summary>
    void OnUpdate(long version, ReadOnlySpan<float> step, ReadOnlySpan<float> gradient, double alpha, double momentum);

    /// <summary>
    /// Called once per applied update by the parameter server, with the update's staleness (the gradient was computed on
    /// the parameters of version <c>version - 1 - staleness</c>). The default forwards to the overload without it.
    /// </summary>
    void OnUpdate(long version, long staleness, ReadOnlySpan<float> step, ReadOnlySpan<float> gradient, double alpha, double momentum) =>
        OnUpdate(version, step, gradient, alpha, momentum);
}
