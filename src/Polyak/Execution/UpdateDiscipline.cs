namespace Polyak.Execution;

/// <summary>How the parameter server applies updates relative to reads.</summary>
public enum UpdateDiscipline
{
    /// <summary>Each update and each read is atomic: a read sees a consistent snapshot of one version.</summary>
    Atomic,

    /// <summary>Lock-free ("Hogwild!"): updates are applied coordinate-wise without a lock, racing with reads.</summary>
    Hogwild,
}
