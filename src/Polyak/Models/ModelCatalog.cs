using Polyak.Data;

namespace Polyak.Models;

/// <summary>Builds models by name for a dataset: <c>auto</c>, <c>linear</c>, <c>logistic</c>, <c>softmax</c>.</summary>
public static class ModelCatalog
{
    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names => ["auto", "linear", "logistic", "softmax"];

    /// <summary>Creates the model <paramref name="name"/> sized for <paramref name="train"/>.</summary>
    public static IModel Create(string name, Dataset train)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n == "auto")
            n = !train.IsClassification ? "linear" : train.ClassCount == 2 ? "logistic" : "softmax";
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
            _ => throw new ArgumentException($"unknown model '{name}': expected one of {string.Join(", ", Names)}"),
        };
    }
}
