using Polyak.Models;
using Polyak.Optimization;

namespace Polyak.Execution;

/// <summary>How a session ended: status and reason, the failure if any, the final server state and the test-split evaluation.</summary>
/// <param name="Status">How the run ended.</param>
/// <param name="StopReason">Why it stopped.</param>
/// <param name="Failure">The failure that stopped it, if one did.</param>
/// <param name="Final">The server's final state (parameters, step, version, staleness).</param>
/// <param name="Test">The final parameters on the test split.</param>
public sealed record SessionOutcome(RunStatus Status, string? StopReason, Exception? Failure, ServerState Final, EvaluationResult Test);
