using System.Text.Json;

namespace Polyak.Execution;

/// <summary>
/// One owner per run folder: the process training a run holds an exclusive lock on <see cref="FileName"/> in the folder
/// for the whole run (an OS file lock, so the kernel releases it when the process dies, however it dies), and writes who
/// it is into <see cref="OwnerFileName"/>. A second run, resume or cluster client for the same folder is refused while
/// the lock is held, naming the owner. The lock file is left in place when the run ends (deleting it would let two
/// processes lock two different files of the same name); both files are Polyak's own (<see cref="OutputFolder"/>).
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock file.</summary>
    public const string FileName = ".polyak-lock";

    /// <summary>Who holds the lock (process, host, start; JSON), for the refusal's message.</summary>
    public const string OwnerFileName = ".polyak-owner.json";

    private FileStream? _stream;

    private readonly bool _ownsRecord = true;

    private RunFolderLock(FileStream stream, string directory, bool ownsRecord = true)
    {
        _stream = stream;
        Directory = directory;
        _ownsRecord = ownsRecord;
    }

    /// <summary>The folder locked.</summary>
    public string Directory { get; }

    /// <summary>
    /// Locks <paramref name="directory"/> (which must exist) for this run; throws <see cref="ArgumentException"/> naming
    /// <paramref name="option"/>, the folder and the owner when another run holds it.
    /// </summary>
    public static RunFolderLock Acquire(string directory, string option = "--out") => Acquire(directory, option, recordOwner: true);

    private static RunFolderLock Acquire(string directory, string option, bool recordOwner)
    {
        string path = Path.Combine(directory, FileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new ArgumentException($"{option} {directory} is in use: {DescribeOwner(directory)} holds it ({path}); wait for that run to end, stop it, or choose another {option}");
        }
        if (!recordOwner) return new RunFolderLock(stream, directory, ownsRecord: false);
        var owner = RunProcess.Current;
        try
        {
            AtomicFile.WriteText(Path.Combine(directory, OwnerFileName), JsonSerializer.Serialize(owner, Json.Indented));
        }
        catch (Exception)
        {
            stream.Dispose();
            throw;
        }
        return new RunFolderLock(stream, directory);
    }

    /// <summary>Throws the refusal of <see cref="Acquire(string, string)"/> when another run holds <paramref name="directory"/>'s lock (takes nothing).</summary>
    public static void ThrowIfHeld(string directory, string option = "--out")
    {
        if (!File.Exists(Path.Combine(directory, FileName))) return;
        Acquire(directory, option, recordOwner: false).Dispose();
    }

    /// <summary>The owner as its file says (or that it is unknown).</summary>
    private static string DescribeOwner(string directory)
    {
        try
        {
            var p = JsonSerializer.Deserialize<RunProcess>(File.ReadAllText(Path.Combine(directory, OwnerFileName)), Json.Indented);
            if (p is not null) return $"process {p.Pid} on {p.Host} (started {p.StartedUtc:u})";
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
        }
        return "another run";
    }

    /// <summary>Releases the lock (the owner file goes; the lock file stays).</summary>
    public void Dispose()
    {
        if (_stream is null) return;
        if (_ownsRecord)
        {
            try { File.Delete(Path.Combine(Directory, OwnerFileName)); }
            catch (IOException) { }
        }
        _stream.Dispose();
        _stream = null;
    }
}
