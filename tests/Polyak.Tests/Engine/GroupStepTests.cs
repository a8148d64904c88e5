using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;

namespace Polyak.Tests.Engine;

/// <summary>The one group step: slices partition the batch, the combined gradient is the batch's mean gradient, one seeding rule.</summary>
public class GroupStepTests
{
    private static readonly Lazy<DataSplit> Data = new(() => RunPlanner.LoadData(new TrainingOptions { Data = "synthetic:mixture,dim=20,n=2000,test=100", Seed = 5 }));

    [Theory]
    [InlineData("softmax", 4, 50)]
    [InlineData("softmax", 3, 31)]
    [InlineData("mlp:16", 5, 64)]
    public void TheGroupGradientIsTheMeanGradientOverTheWholeBatch(string modelName, int members, int batch)
    {
        var data = Data.Value;
        var model = ModelCatalog.Create(modelName, data.Train);
        var step = new GroupStep(model, data.Train, 1, members, batch, 9, new BatchSampler(data.Train.Count, 9, 1));
        model.Initialize(step.Parameters, 3);
        step.SetRead(0);
        step.Sample();

        // The slices partition the batch: contiguous, sizes within one of each other.
        var rows = Enumerable.Range(0, members).SelectMany(m => step.MemberRows(m).ToArray()).ToArray();
        Assert.Equal(step.Rows, rows);
        var sizes = Enumerable.Range(0, members).Select(m => step.MemberRows(m).Length).ToArray();
        Assert.True(sizes.Max() - sizes.Min() <= 1);

        for (int m = members - 1; m >= 0; m--) step.Compute(m);
        double loss = step.Combine();

        // The reference: one worker's mean gradient and loss over the whole batch.
        var full = new float[model.ParameterCount];
        float fullLoss = model.LossAndGradient(step.Parameters, data.Train, step.Rows, full, model.CreateWorkspace(batch, 0));
        Assert.Equal(fullLoss, loss, 5);
        var g = step.Gradient.ToArray();
        double scale = full.Max(x => Math.Abs(x));
        for (int i = 0; i < full.Length; i++)
            Assert.True(Math.Abs(g[i] - full[i]) <= 1e-5 * scale, $"coordinate {i}: group {g[i]}, whole batch {full[i]}");
        // And it is the slice-size-weighted mean of what the members computed.
        for (int i = 0; i < full.Length; i += 7)
        {
            double mean = Enumerable.Range(0, members).Sum(m => (double)sizes[m] / batch * step.Members[m].Gradient[i]);
            Assert.Equal(mean, g[i], 5);
        }
    }

    [Fact]
    public void AMembersResultIsTheSameWhoeverComputesIt()
    {
        // Dropout masks come from the worker's seed: a member computing its own slice, the leader standing in for it
        // (cluster), and a remote member accepted into the step give the same gradient.
        var data = Data.Value;
        var model = ModelCatalog.Create("fc24-relu-dropout0.5-fc10", data.Train);
        var a = new GroupStep(model, data.Train, 2, 3, 30, 4, new BatchSampler(data.Train.Count, 4, 2));
        var b = new GroupStep(model, data.Train, 2, 3, 30, 4, new BatchSampler(data.Train.Count, 4, 2));
        model.Initialize(a.Parameters, 1);
        a.Parameters.CopyTo(b.Parameters, 0);
        a.Sample();
        b.Sample();
        Assert.Equal(a.Rows, b.Rows);
        for (int m = 0; m < 3; m++) a.Compute(m);

        var remote = new GroupMember(model, worker: 2 * 3 + 1, maxSlice: 10, runSeed: 4);
        remote.Compute(b.Parameters, data.Train, b.MemberRows(1));
        b.Compute(0);
        b.Accept(1, remote.Gradient, remote.Loss);
        b.Compute(2);
        Assert.Equal(a.Members[1].Gradient, b.Members[1].Gradient);
        Assert.Equal(a.Combine(), b.Combine());
        Assert.Equal(a.Gradient.ToArray(), b.Gradient.ToArray());
        Assert.Equal(GroupMember.WorkspaceSeed(4, 7), a.Members[1].Seed);
        Assert.NotEqual(a.Members[0].Seed, a.Members[1].Seed);
    }

    [Fact]
    public void OneMemberPushesItsOwnGradientUnchanged()
    {
        var data = Data.Value;
        var model = ModelCatalog.Create("softmax", data.Train);
        var step = new GroupStep(model, data.Train, 0, 1, 16, 1, new BatchSampler(data.Train.Count, 1, 0));
        step.Sample();
        step.Compute(0);
        Assert.Equal(step.Members[0].Loss, step.Combine());
        Assert.Equal(step.Members[0].Gradient, step.Gradient.ToArray());
    }

    [Fact]
    public void TheEvaluationRuleIsOneScheduleForEveryBackend()
    {
        var rule = new EvaluationSchedule(25, 100);
        Assert.Equal([25L, 50L, 75L], Enumerable.Range(1, 120).Select(i => (long)i).Where(rule.IsDue));
    }
}
