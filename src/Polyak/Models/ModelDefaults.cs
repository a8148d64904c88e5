namespace Polyak.Models;

/// <summary>Defaults a run takes from its model when an option is not given.</summary>
public static class ModelDefaults
{
    /// <summary>
    /// Default learning rate when <c>--lr</c> is not given: the model's recipe when it has one (<see cref="ModelRecipe"/>),
    /// else a per-model constant. <c>polyak tune</c> and <c>study</c> centre their learning-rate grids on it.
    /// </summary>
    public static double LearningRate(IModel model) => ModelRecipe.For(model.Name)?.LearningRate ?? model.Name switch
    {
        "linear" => 0.1,
        "logistic" => 0.5,
        "softmax" => 0.5,
        "mlp" => 0.1,
        "cifar" => 0.02,
        _ when model.Name.StartsWith("mlp:", StringComparison.Ordinal) => 0.1,
        _ => 0.05,
    };
}
