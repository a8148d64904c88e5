using System.Globalization;
using Polyak.Data;
using Polyak.Models.Layers;

namespace Polyak.Models;

/// <summary>
/// Builds models by name for a dataset: <c>auto</c>, <c>linear</c>, <c>logistic</c>, <c>softmax</c>, the network zoo
/// (<c>mlp</c>, <c>mlp:H1,H2,...</c>, <c>lenet</c>, <c>cifar</c>) or a raw network spec such as
/// <c>conv32k5-relu-pool2-fc10</c> (grammar in <see cref="NetworkSpec"/>).
/// </summary>
public static class ModelCatalog
{
    /// <summary>Names accepted by <see cref="Create"/> (besides network specs).</summary>
    public static IReadOnlyList<string> Names => ["auto", "linear", "logistic", "softmax", "mlp", "lenet", "cifar"];

    /// <summary>Spec of the LeNet-style CNN for C classes: 28x28 -> 24 -> 12 -> 8 -> 4, so 64*4*4 = 1024 inputs to the dense layer.</summary>
    public static string LeNetSpec(int classes) => $"conv32k5-relu-pool2-conv64k5-relu-pool2-fc{classes}";

    /// <summary>Spec of the small CIFAR-style CNN for 3x32x32 inputs and C classes.</summary>
    public static string CifarSpec(int classes) =>
        $"conv32k3p1-relu-pool2-conv64k3p1-relu-pool2-conv128k3p1-relu-pool2-fc256-relu-dropout0.5-fc{classes}";

    /// <summary>Spec of a multi-layer perceptron with the given hidden sizes (ReLU) and C classes.</summary>
    public static string MlpSpec(IEnumerable<int> hidden, int classes) =>
        string.Concat(hidden.Select(h => $"fc{h}-relu-")) + $"fc{classes}";

    /// <summary>Builds a zoo network or a spec network; null when <paramref name="n"/> names neither.</summary>
    private static Network? CreateNetwork(string n, string original, Dataset train)
    {
        bool isMlp = n == "mlp" || n.StartsWith("mlp:", StringComparison.Ordinal);
        bool isZoo = isMlp || n is "lenet" or "cifar";
        if (!isZoo && !NetworkSpec.LooksLikeSpec(n)) return null;
        if (!train.IsClassification)
            throw new ArgumentException($"model '{original}' is a classifier network and needs class labels; data '{train.Name}' has real targets");
        int classes = train.ClassCount;
        if (isMlp)
        {
            int[] hidden = [256];
            if (n.Length > 3)
            {
                try
                {
                    hidden = n[4..].Split(',', StringSplitOptions.TrimEntries)
                        .Select(t => int.Parse(t, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
                }
                catch (Exception ex) when (ex is FormatException or OverflowException)
                {
                    throw new ArgumentException($"model '{original}': hidden sizes must be positive integers separated by commas, e.g. mlp:512,256");
                }
                if (hidden.Any(h => h < 1)) throw new ArgumentException($"model '{original}': hidden sizes must be >= 1");
            }
            return new Network(n, MlpSpec(hidden, classes), train.InputShape, classes);
        }
        if (n == "lenet")
        {
            if (train.InputShape.Length != 3)
                throw new ArgumentException($"model 'lenet' needs image data of shape [C,H,W]; data '{train.Name}' has shape [{string.Join(",", train.InputShape)}] (try --data fashion-mnist or synthetic:images)");
            return new Network("lenet", LeNetSpec(classes), train.InputShape, classes);
        }
        if (n == "cifar")
        {
            if (train.InputShape.Length != 3)
                throw new ArgumentException($"model 'cifar' needs image data of shape [C,H,W]; data '{train.Name}' has shape [{string.Join(",", train.InputShape)}]");
            return new Network("cifar", CifarSpec(classes), train.InputShape, classes);
        }
        return new Network(n, n, train.InputShape, classes);
    }

    /// <summary>
    /// Throws the unknown-model error when <paramref name="name"/> is neither a zoo name nor a network spec, so a typo is
    /// reported before any data is loaded (whether the model suits the data is checked by <see cref="Create"/>).
    /// </summary>
    public static void CheckName(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n.StartsWith("mlp:", StringComparison.Ordinal))
        {
            var sizes = n[4..].Split(',', StringSplitOptions.TrimEntries);
            if (sizes.Any(t => !int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int h) || h < 1))
                throw new ArgumentException($"model '{Show(name)}': hidden sizes must be positive integers separated by commas, e.g. mlp:512,256");
            return;
        }
        if (Names.Contains(n) || n == "least-squares" || NetworkSpec.LooksLikeSpec(n)) return;
        throw new ArgumentException(UnknownModel(name));
    }

    /// <summary>A name as an error message shows it: at most 60 characters.</summary>
    private static string Show(string name) => name.Length <= 60 ? name : $"{name[..57]}... ({name.Length:N0} characters)";

    private static string UnknownModel(string name) =>
        $"unknown model '{Show(name)}': expected one of {string.Join(", ", Names)} or a network spec such as conv32k5-relu-pool2-fc10";

    /// <summary>Creates the model <paramref name="name"/> sized for <paramref name="train"/>.</summary>
    public static IModel Create(string name, Dataset train)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n == "auto")
            n = !train.IsClassification ? "linear" : train.ClassCount == 2 ? "logistic" : "softmax";
        if (CreateNetwork(n, name, train) is { } network) return network;
        return n switch
        {
            "linear" or "least-squares" => train.IsClassification
                ? throw new ArgumentException($"model 'linear' needs regression targets, data '{train.Name}' has class labels")
                : new LeastSquares(train.FeatureCount),
            "logistic" => train.ClassCount != 2
                ? throw new ArgumentException($"model 'logistic' needs 2-class data, data '{train.Name}' has {(train.IsClassification ? train.ClassCount + " classes" : "real targets")}")
                : new LogisticRegression(train.FeatureCount),
            "softmax" => !train.IsClassification
                ? throw new ArgumentException($"model 'softmax' needs class labels, data '{train.Name}' has real targets")
                : new SoftmaxRegression(train.FeatureCount, train.ClassCount),
            _ => throw new ArgumentException(UnknownModel(name)),
        };
    }
}
