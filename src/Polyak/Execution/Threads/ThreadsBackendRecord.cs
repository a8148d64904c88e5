using System.Diagnostics;

namespace Polyak.Execution;

/// <summary>What a threads run was measured on (<c>run.json</c>'s <c>backend</c> section).</summary>
/// <param name="WorkerThreads">OS threads, one per worker.</param>
/// <param name="ProcessorCount">Logical cores of the machine.</param>
/// <param name="Discipline">atomic or hogwild.</param>
/// <param name="WallSeconds">Wall seconds the backend ran.</param>
public sealed record ThreadsBackendRecord(int WorkerThreads, int ProcessorCount, string Discipline, double WallSeconds);
