using Polyak.Execution;

namespace Polyak.Reporting;

/// <summary>
/// The figures of a run folder, as an <see cref="IRunArtifactWriter"/> for <c>Trainer.Artifacts</c>: with
/// <c>--momentum auto</c>, the control figure (<see cref="MomentumControlFigure"/>; its numbers are the run folder's
/// <c>momentum.csv</c>, which the engine writes), then the run's page <c>report.html</c> (<see cref="RunReport"/>).
/// </summary>
public sealed class RunFigures : IRunArtifactWriter
{
    /// <summary>The writers a host adds to every run folder.</summary>
    public static IReadOnlyList<IRunArtifactWriter> All { get; } = [new RunFigures()];

    /// <inheritdoc/>
    public IReadOnlyList<string> Write(string runDirectory, RunRecord record)
    {
        var written = new List<string>();
        if (record.AutoMomentum is { } auto) written.AddRange(MomentumControlFigure.Write(runDirectory, auto));
        written.AddRange(RunReport.Write(runDirectory, record));
        return written;
    }
}
