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
}
