namespace Polyak.Execution;

/// <summary>A model recipe as a run applied it (see <see cref="Models.ModelRecipe"/>), and which options it supplied.</summary>
public sealed record RecipeRecord(string Model, double LearningRate, double Momentum, int Batch, bool Cosine, string Evidence, IReadOnlyList<string> Applied);
