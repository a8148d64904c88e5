namespace Polyak.Execution;

/// <summary>
/// Where Polyak may write: an output folder is new, empty, or one Polyak made for the same kind of work (a run, a tune's
/// or a study's journal, a theory or optimize report), recognised by the files it writes there. A file path, or a folder
/// holding anything else, is refused with the name of what is in the way: nothing Polyak did not create is overwritten.
/// </summary>
public static class OutputFolder
{
    /// <summary>The files that mark a folder as holding a training run.</summary>
    public static readonly IReadOnlyList<string> RunMarkers = ["run.json", CheckpointFile.FileName];

    /// <summary>
    /// Checks that <paramref name="dir"/> can take a new training run (named <paramref name="option"/> in messages):
    /// not a file, and missing or empty; a folder that already holds a run is refused with how to continue it.
    /// </summary>
    public static void CheckNewRun(string dir, string option = "--out") => CheckNewRun(dir, option, underOwnLock: false);

    /// <summary>As <see cref="CheckNewRun(string, string)"/>; <paramref name="underOwnLock"/>: the caller holds the folder's <see cref="RunFolderLock"/> already.</summary>
    public static void CheckNewRun(string dir, string option, bool underOwnLock)
    {
        CheckNotFile(dir, option);
        if (!Directory.Exists(dir)) return;
        if (!underOwnLock) RunFolderLock.ThrowIfHeld(dir, option); // a run in training: say so, not "already holds a run"
        foreach (string marker in RunMarkers)
        {
            string file = Path.Combine(dir, marker);
            if (!File.Exists(file)) continue;
            string next = RunFolderState.Read(dir) is { Status: "detached" }
                ? $"its job was detached from its client and may still run on the cluster: follow it with --resume {dir} --attach, or choose another {option}"
                : File.Exists(Path.Combine(dir, CheckpointFile.FileName)) ? $"continue it with --resume {dir} or choose another {option}" : $"choose another {option}";
            throw new ArgumentException($"{option} {dir} already holds a run ({file}); {next}");
        }
        RefuseForeign(dir, option, []);
    }

    /// <summary>
    /// Checks that <paramref name="dir"/> can take work of a kind that resumes in place (a tune or study journal, a
    /// report): not a file, and missing, empty, or holding at least one of <paramref name="markers"/> (Polyak's own files
    /// of that kind). Creates it; returns its full path.
    /// </summary>
    public static string Claim(string dir, string option, IReadOnlyList<string> markers)
    {
        CheckNotFile(dir, option);
        if (Directory.Exists(dir) && !markers.Any(m => File.Exists(Path.Combine(dir, m)) || Directory.Exists(Path.Combine(dir, m))))
            RefuseForeign(dir, option, markers);
        Directory.CreateDirectory(dir);
        return Path.GetFullPath(dir);
    }

    private static void CheckNotFile(string dir, string option)
    {
        if (string.IsNullOrWhiteSpace(dir)) throw new ArgumentException($"{option} is empty");
        if (File.Exists(dir)) throw new ArgumentException($"{option} {dir} is a file; give a folder (new or empty)");
    }

    /// <summary>Polyak's own files in any folder it writes: the run-folder lock and its owner record.</summary>
    public static readonly IReadOnlyList<string> OwnFiles = [RunFolderLock.FileName, RunFolderLock.OwnerFileName];

    private static void RefuseForeign(string dir, string option, IReadOnlyList<string> markers)
    {
        string? first = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName)
            .Where(name => !OwnFiles.Contains(name, StringComparer.Ordinal)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (first is null) return;
        string mine = markers.Count == 0 ? "" : $" (a folder Polyak made for this holds {string.Join(" or ", markers)})";
        throw new ArgumentException($"{option} {dir} is not empty and Polyak did not make it: it holds '{first}'{mine}; choose a new or empty folder");
    }
}
