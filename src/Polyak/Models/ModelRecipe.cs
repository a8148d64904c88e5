namespace Polyak.Models;

/// <summary>
/// The hyper-parameters a zoo model trains well with (learning rate, explicit momentum, batch size, and whether to decay
/// the rate with a half-cosine over the run), measured on real data; the evidence is in docs/models.md. A run takes
/// every option it does not set from its model's recipe, <b>as measured, at every level of asynchrony</b>: carrying the
/// recipe to g asynchronous groups with the implicit-momentum rule (explicit momentum minus 1 - 1/g, rate times g) was
/// measured too and did not help (no better at g = 2 on threads, worse at g = 8 on the simulator; docs/models.md), so the
/// per-level tuning is left to <c>polyak tune</c>, <c>polyak study</c> and <c>polyak optimize</c>.
/// </summary>
/// <param name="LearningRate">Learning rate.</param>
/// <param name="Momentum">Explicit momentum.</param>
/// <param name="Batch">Mini-batch size.</param>
/// <param name="Cosine">Decay the learning rate with a half-cosine to 0 over the run when its length is known.</param>
/// <param name="Evidence">Where the recipe comes from, printed in the run record.</param>
public sealed record ModelRecipe(double LearningRate, double Momentum, int Batch, bool Cosine, string Evidence)
{
    /// <summary>LeNet: 3 epochs of Fashion-MNIST, 90.05 % mean test accuracy as sequential SGD (docs/models.md).</summary>
    public static readonly ModelRecipe LeNet = new(0.025, 0.75, 16, true,
        "lenet on Fashion-MNIST, 3 epochs: 90.05 % mean test accuracy as sequential SGD (5 seeds), 89.75 % mean on two asynchronous workers (10 runs) (docs/models.md)");

    /// <summary>The recipe of a model by its name, or null when it has none (then: batch 64, momentum 0, constant rate).</summary>
    public static ModelRecipe? For(string modelName) => modelName switch
    {
        "lenet" => LeNet,
        _ => null,
    };
}
