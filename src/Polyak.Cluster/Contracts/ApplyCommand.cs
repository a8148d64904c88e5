namespace Polyak.Cluster.Contracts;

/// <summary>
/// One update as the sequencer orders it: apply staged push <c>PushId</c> as update <c>T</c> (the shard must be at version
/// T), computed on the parameters of <c>ReadVersion</c>, with explicit momentum <c>Mu</c>. The shard's update core takes
/// the step size alpha_T from the job's schedule itself. (Ids 2 to 4 held the float alpha, mu and lambda of the previous
/// format: new ids, so silos of different Polyak versions cannot misread each other's commands.)
/// </summary>
[GenerateSerializer, Immutable]
public sealed class ApplyCommand
{
    /// <summary>The push whose staged gradient slice is applied.</summary>
    [Id(0)] public required long PushId { get; init; }

    /// <summary>The version before this update (the update makes it T + 1).</summary>
    [Id(1)] public required long T { get; init; }

    /// <summary>The version the gradient was computed on.</summary>
    [Id(5)] public required long ReadVersion { get; init; }

    /// <summary>Explicit momentum mu (set by the sequencer's core; closed-loop control may change it between updates).</summary>
    [Id(6)] public required double Mu { get; init; }
}
