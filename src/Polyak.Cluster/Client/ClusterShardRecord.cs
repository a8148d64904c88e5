namespace Polyak.Cluster.Client;

/// <summary>One shard of a cluster run.</summary>
/// <param name="Index">Shard index.</param>
/// <param name="Silo">Silo that held it at the end.</param>
/// <param name="Parameters">Parameters in its slice.</param>
public sealed record ClusterShardRecord(int Index, string Silo, int Parameters);
