using Polyak.Execution;
using Polyak.Models;
using Xunit;
using Polyak.Training;

namespace Polyak.Tests.Engine;

/// <summary>Defaults from a model's recipe: which options it fills, what given options keep, and the run's cosine length.</summary>
public sealed class ModelRecipeTests
{
    private static TrainingOptions Lenet(int workers = 2) => new() { Model = "lenet", Workers = workers, Epochs = 3 };

    [Fact]
    public void LenetTakesEveryOptionNotGivenFromItsRecipe()
    {
        var r = ResolvedOptions.Resolve(Lenet(), 0.1, "lenet", runUpdates: 11250);
        Assert.Equal(16, r.Batch);
        Assert.Equal(0.025, r.LearningRate);
        Assert.Equal(0.75, r.Momentum);
        Assert.Equal("cosine:11250", r.Schedule.Spec);
        Assert.Equal(0.025, r.Schedule.At(0));
        Assert.Equal(0.0125, r.Schedule.At(11250 / 2), 12);
        Assert.Same(ModelRecipe.LeNet, r.Recipe);
        Assert.Equal(["batch", "lr", "momentum", "schedule"], r.FromRecipe);
        // The run record holds the values used, so --config re-runs them exactly.
        Assert.Equal(16, r.Given.Batch);
        Assert.Equal(0.75, r.Given.Momentum);
        Assert.Equal("cosine:11250", r.Given.Schedule);
        // The same at any level of asynchrony (measured: docs/models.md).
        var sync = ResolvedOptions.Resolve(Lenet(8) with { Groups = 1 }, 0.1, "lenet", runUpdates: 100);
        Assert.Equal((16, 0.025, 0.75), (sync.Batch, sync.LearningRate, sync.Momentum));
    }

    [Fact]
    public void TuningGridsAreCentredOnTheRecipesRate()
    {
        // tune and study centre their learning-rate grids on DefaultLearningRate: for lenet that is the recipe's rate,
        // the one its recipe batch was measured with, not the momentum-0 default of models without a recipe.
        var data = TestImages.Split(1, 28, 10, 4, 10, 1, noise: 2.0).Train;
        Assert.Equal(ModelRecipe.LeNet.LearningRate, ModelDefaults.LearningRate(ModelCatalog.Create("lenet", data)));
        Assert.Equal(0.1, ModelDefaults.LearningRate(ModelCatalog.Create("mlp", data)));
    }

    [Fact]
    public void GivenOptionsWinAndAreNotAttributedToTheRecipe()
    {
        var o = Lenet() with { Batch = 64, Momentum = 0.0, Schedule = "constant" };
        var r = ResolvedOptions.Resolve(o, 0.1, "lenet", runUpdates: 2813);
        Assert.Equal((64, 0.0, "constant"), (r.Batch, r.Momentum, r.Schedule.Spec));
        Assert.Equal(0.025, r.LearningRate);
        Assert.Equal(["lr"], r.FromRecipe);
        var all = ResolvedOptions.Resolve(o with { LearningRate = 0.1 }, 0.1, "lenet", runUpdates: 2813);
        Assert.Null(all.Recipe);
        Assert.Empty(all.FromRecipe);
    }

    [Fact]
    public void ModelsWithoutARecipeKeepThePlainDefaults()
    {
        var r = ResolvedOptions.Resolve(new TrainingOptions { Model = "softmax", Epochs = 1 }, 0.5, "softmax", runUpdates: 300);
        Assert.Equal((64, 0.5, 0.0, "constant"), (r.Batch, r.LearningRate, r.Momentum, r.Schedule.Spec));
        Assert.Null(r.Recipe);
        Assert.Null(ModelRecipe.For("mlp"));
    }

    [Fact]
    public void CosineOverTheRunNeedsItsLength()
    {
        // A recipe's cosine falls back to a constant rate when the run has no length in updates (a time limit only).
        var timed = ResolvedOptions.Resolve(Lenet() with { Epochs = null, TimeSeconds = 10 }, 0.1, "lenet", runUpdates: long.MaxValue);
        Assert.Equal("constant", timed.Schedule.Spec);
        Assert.DoesNotContain("schedule", timed.FromRecipe);
        // Asked for explicitly, it is an error that says what to give.
        var ex = Assert.Throws<ArgumentException>(() =>
            ResolvedOptions.Resolve(new TrainingOptions { Model = "softmax", Schedule = "cosine", TimeSeconds = 5 }, 0.5, "softmax", runUpdates: null));
        Assert.Contains("--updates or --epochs", ex.Message);
        var given = ResolvedOptions.Resolve(new TrainingOptions { Model = "softmax", Schedule = "cosine", Updates = 40 }, 0.5, "softmax", runUpdates: 40);
        Assert.Equal("cosine:40", given.Schedule.Spec);
    }

    [Fact]
    public void ATrainedRunRecordsTheRecipeItUsed()
    {
        var data = TestImages.Split(n: 400, test: 100);
        var result = new Trainer().Run(new TrainingOptions { Model = "lenet", Workers = 1, Updates = 3, EvalSize = 50 }, data: data);
        Assert.Null(result.Failure);
        var recipe = Assert.IsType<RecipeRecord>(result.Record.Recipe);
        Assert.Equal("lenet", recipe.Model);
        Assert.Equal(["batch", "lr", "momentum", "schedule"], recipe.Applied);
        Assert.Equal(16, result.Record.Config.Batch);
        Assert.Equal("cosine:3", result.Record.Config.Schedule);
        Assert.Equal(3, result.Record.Summary.Updates);
    }
}
