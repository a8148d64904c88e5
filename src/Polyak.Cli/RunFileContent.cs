using Polyak.Execution;

namespace Polyak.Cli;

/// <summary>A run file as read: its options, and the keys in it that only one backend reads.</summary>
/// <param name="Options">The options.</param>
/// <param name="Path">The file.</param>
/// <param name="SimulatorKeys">Simulator settings it sets (read by --backend simulated only).</param>
/// <param name="ClusterKey">The key that sets a cluster endpoint, if one does (read by --backend cluster only).</param>
public sealed record RunFileContent(TrainingOptions Options, string Path, IReadOnlyList<string> SimulatorKeys, string? ClusterKey);
