namespace Polyak.Optimization;

/// <summary>
/// Sees every update an <see cref="UpdateCore"/> applies, right after it is applied (under the server's lock in the
/// atomic discipline; serialised in Hogwild): used by the online momentum estimator, the closed-loop momentum
/// controller and the theory's trajectory recorders. Attach with <see cref="UpdateCore.Attach"/>; it then sees the
/// updates of every backend (threads, simulator, and the cluster's sequencer).
/// </summary>
public interface IUpdateObserver
{
    /// <summary>Called once per applied update.</summary>
    void OnUpdate(in AppliedUpdate update);
}
