using System.Globalization;
using Polyak.Execution;
using Polyak.Tuning;

namespace Polyak.Training;

/// <summary>The cold start's tuning outcome: its choice (null when every level diverged) and its cost.</summary>
/// <param name="Choice">The chosen configuration.</param>
/// <param name="Cost">Time the tuning runs took, backend unit.</param>
/// <param name="Updates">Updates the tuning runs took.</param>
public sealed record ColdStartResult(LevelChoice? Choice, double Cost, long Updates);
