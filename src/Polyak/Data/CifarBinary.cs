namespace Polyak.Data;

/// <summary>Reads CIFAR-10 binary batches (placeholder; the full reader follows).</summary>
public static class CifarBinary
{
    /// <summary>The batch files in a folder: training batches and the test batch.</summary>
    public static (IReadOnlyList<string> Train, string? Test) FindBatches(string folder) => ([], null);
}
