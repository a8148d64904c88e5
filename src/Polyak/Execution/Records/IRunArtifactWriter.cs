namespace Polyak.Execution;

/// <summary>
/// Writes further files into a run folder after <see cref="RunFolderWriter"/> wrote the record (e.g. the figures of
/// Polyak.Reporting). Hosts choose which ones run: the engine itself writes no figures.
/// </summary>
public interface IRunArtifactWriter
{
    /// <summary>Writes this writer's files for <paramref name="record"/> into <paramref name="runDirectory"/>; returns their paths.</summary>
    IReadOnlyList<string> Write(string runDirectory, RunRecord record);
}
