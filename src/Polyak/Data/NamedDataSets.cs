namespace Polyak.Data;

/// <summary>
/// The named data sets (<c>fashion-mnist</c>, <c>mnist</c>) and the folders searched for their IDX files:
/// <c>$POLYAK_DATA_DIR/NAME</c>, <c>/usr/share/datasets/NAME</c> (Debian's <c>dataset-fashion-mnist</c> installs there),
/// <c>~/.local/share/polyak/datasets/NAME</c>, <c>~/.cache/polyak/datasets/NAME</c>, <c>./data/NAME</c>.
/// </summary>
public static class NamedDataSets
{
    /// <summary>Names that <see cref="DataCatalog"/> resolves by searching folders.</summary>
    public static readonly string[] Names = ["fashion-mnist", "mnist"];

    /// <summary>True when <paramref name="source"/> is one of <see cref="Names"/>.</summary>
    public static bool IsNamed(string source) => Names.Contains(Canonical(source));

    /// <summary>The canonical name (<c>fashion_mnist</c>, <c>FashionMNIST</c> -> <c>fashion-mnist</c>).</summary>
    public static string Canonical(string source)
    {
        string s = source.Trim().ToLowerInvariant().Replace('_', '-');
        return s is "fashionmnist" or "fmnist" ? "fashion-mnist" : s;
    }

    /// <summary>The folders searched for <paramref name="name"/>, in order.</summary>
    public static IReadOnlyList<string> SearchFolders(string name)
    {
        var list = new List<string>();
        string? env = Environment.GetEnvironmentVariable("POLYAK_DATA_DIR");
        if (!string.IsNullOrEmpty(env)) list.Add(Path.Combine(env, name));
        list.Add(Path.Combine("/usr/share/datasets", name));
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home))
        {
            list.Add(Path.Combine(home, ".local", "share", "polyak", "datasets", name));
            list.Add(Path.Combine(home, ".cache", "polyak", "datasets", name));
        }
        list.Add(Path.Combine("data", name));
        return list;
    }

    /// <summary>Finds and loads a named set; the error when it is absent says how to get it.</summary>
    public static (Dataset Train, Dataset Test, string Description) Load(string source, PixelNormalization norm, double testFraction, ulong seed, DecodedCache? cache)
    {
        string name = Canonical(source);
        var folders = SearchFolders(name);
        string? folder = folders.FirstOrDefault(IdxFolder.Holds);
        if (folder is null)
        {
            string files = string.Join(", ", IdxFolder.StandardNames);
            string how = name == "fashion-mnist"
                ? $"install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu; files go to /usr/share/datasets/fashion-mnist), or put {files} in one of those folders, or pass the folder holding them as --data /path/to/folder"
                : $"download the four MNIST files ({files}) and put them in one of those folders (e.g. ~/.local/share/polyak/datasets/mnist, or $POLYAK_DATA_DIR/mnist), or pass the folder holding them as --data /path/to/folder";
            throw new ArgumentException($"data '{name}' not found: looked in {string.Join(", ", folders)}; {how}");
        }
        return IdxFolder.Load(folder, name, 10, norm, testFraction, seed, cache);
    }
}
