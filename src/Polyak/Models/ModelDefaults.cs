using Polyak.Data;

namespace Polyak.Models;

/// <summary>Defaults a run takes from its model when an option is not given.</summary>
public static class ModelDefaults
{
    /// <summary>
    /// The input scale (<see cref="InputScale.TopSecondMoment"/>) up to which the linear models' constant rates apply:
    /// Fashion-MNIST's (pixels in [0, 1]), the data they were chosen on, measures 112; 120 leaves room for the sample.
    /// </summary>
    public const double ReferenceInputScale = 120;

    /// <summary>
    /// Default learning rate when <c>--lr</c> is not given: the model's recipe when it has one (<see cref="ModelRecipe"/>),
    /// else a per-model constant. <c>polyak tune</c> and <c>study</c> centre their learning-rate grids on it.
    /// For the linear models (linear, logistic, softmax) on <paramref name="train"/> data whose inputs are larger than
    /// Fashion-MNIST's (<see cref="InputScale"/> above <see cref="ReferenceInputScale"/>) the constant shrinks by
    /// (reference / scale)^1.5: gradient descent on a linear model is stable below a constant over that scale, and the
    /// margin grows with it. Measured with softmax: Fashion-MNIST (scale 112) diverges at lr 0.75 and trains at 0.5;
    /// CIFAR-shaped images (scale 746) diverge at 0.075 and train at 0.05, and get 0.032.
    /// </summary>
    public static double LearningRate(IModel model, Dataset? train = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (ModelRecipe.For(model.Name)?.LearningRate is double recipe) return recipe;
        double constant = model.Name switch
        {
            "linear" => 0.1,
            "logistic" => 0.5,
            "softmax" => 0.5,
            "mlp" => 0.1,
            "cifar" => 0.02,
            _ when model.Name.StartsWith("mlp:", StringComparison.Ordinal) => 0.1,
            _ => 0.05,
        };
        if (train is null || model is not LinearModel) return constant;
        double scale = InputScale.TopSecondMoment(train);
        return scale > ReferenceInputScale ? constant * Math.Pow(ReferenceInputScale / scale, 1.5) : constant;
    }
}
