using Polyak.Execution;
using Polyak.Optimization;
using Polyak.Training;

namespace Polyak.Tests.Optimization;

/// <summary>
/// <c>--staleness-policy ssp:S</c> (stale synchronous parallel): no group starts a step more than S of its own steps ahead
/// of the slowest, on the simulator and on threads; deterministic and resumable on the simulator.
/// </summary>
public sealed class BoundedStalenessTests
{
    /// <summary>8 asynchronous groups with worker 0 four times slower: without a bound it falls far behind.</summary>
    private static readonly TrainingOptions Straggler = new()
    {
        Data = "synthetic:mixture,dim=16,n=2000,test=200", Model = "softmax", Backend = "simulated", Workers = 8, Groups = 8, Batch = 16,
        LearningRate = 0.2, Updates = 800, EvalEvery = 100, EvalSize = 200, Seed = 2,
        Simulation = new SimulationOptions { Slowdown = new Dictionary<int, double> { [0] = 4 } },
    };

    /// <summary>
    /// Runs <paramref name="o"/> and returns the largest lead any group started a step with, reconstructed from the updates
    /// alone: an update of group g at version v read version r; when g read r, every group had applied its updates of
    /// versions &lt;= r, and g's lead was its count then minus the smallest count. Exact whatever the order hooks ran in.
    /// </summary>
    private static (TrainingResult Run, long MaxLead) RunWithLead(TrainingOptions o, Action<TrainingContext>? more = null)
    {
        var updates = new List<(long Version, int Group, long Read)>();
        var r = TestSupport.Train(o, ctx =>
        {
            ctx.UpdateHook = (g, read, tau) => { lock (updates) updates.Add((read + tau + 1, g, read)); };
            more?.Invoke(ctx);
        });
        int groups = o.Groups!.Value;
        var ordered = updates.OrderBy(u => u.Version).ToArray();
        Assert.Equal(Enumerable.Range(1, ordered.Length).Select(v => (long)v), ordered.Select(u => u.Version));
        // counts[v] = applied updates per group after version v.
        var counts = new long[ordered.Length + 1][];
        counts[0] = new long[groups];
        for (int i = 0; i < ordered.Length; i++)
        {
            counts[i + 1] = (long[])counts[i].Clone();
            counts[i + 1][ordered[i].Group]++;
        }
        long maxLead = 0;
        foreach (var u in ordered)
        {
            var at = counts[u.Read];
            maxLead = Math.Max(maxLead, at[u.Group] - at.Min());
        }
        return (r, maxLead);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void On_the_simulator_no_group_gets_more_than_S_steps_ahead(int bound)
    {
        var (free, freeLead) = RunWithLead(Straggler);
        var (bounded, lead) = RunWithLead(Straggler with { StalenessPolicy = $"ssp:{bound}" });
        // Without the bound the straggler falls behind by far more than S (the check can fail).
        Assert.True(freeLead > bound + 20, $"without ssp the lead was only {freeLead}");
        Assert.True(lead <= bound, $"a group started a step {lead} steps ahead of the slowest, S = {bound}");
        Assert.Equal(lead, bounded.Record.Summary.BoundedStalenessMaxLead);
        var s = bounded.Record.Summary;
        Assert.NotNull(s.BoundedStalenessMaxLead);
        Assert.True(s.BoundedStalenessMaxLead <= bound);
        Assert.True(s.BoundedStalenessWaits > 0);
        Assert.Null(free.Record.Summary.BoundedStalenessWaits);
        Assert.Equal(800, s.Updates);
        // The fast groups waited for the straggler: the simulated run takes longer, and staleness is smaller.
        Assert.True(s.SimulatedSeconds > free.Record.Summary.SimulatedSeconds);
        Assert.True(s.Staleness.Mean < free.Record.Summary.Staleness.Mean);
        // Deterministic.
        Assert.Equal(bounded.Parameters, TestSupport.Train(Straggler with { StalenessPolicy = $"ssp:{bound}" }).Parameters);
    }

    [Fact]
    public void With_S_0_every_group_does_its_kth_step_before_any_group_does_step_k_plus_2()
    {
        var o = Straggler with { StalenessPolicy = "ssp:0", Simulation = new SimulationOptions() };
        var (r, lead) = RunWithLead(o);
        Assert.Equal(0, lead);
        // Lockstep: each "round" of 8 updates has one update of each group, so staleness stays below 2 x groups.
        Assert.True(r.Record.Summary.Staleness.Max < 16, $"max staleness {r.Record.Summary.Staleness.Max}");
    }

    [Fact]
    public void On_threads_no_group_gets_more_than_S_steps_ahead()
    {
        // Group 0 sleeps before each push: the other three would run away from it.
        var o = Straggler with { Backend = "threads", Workers = 4, Groups = 4, Updates = 400, Simulation = new SimulationOptions(), StalenessPolicy = "ssp:2" };
        var (r, lead) = RunWithLead(o, ctx => ctx.BeforePushHook = (g, _) => { if (g == 0) Thread.Sleep(2); });
        Assert.Equal(RunStatus.Completed, r.Status);
        Assert.True(lead <= 2, $"a group started a step {lead} steps ahead of the slowest, S = 2");
        Assert.True(r.Record.Summary.BoundedStalenessMaxLead <= 2);
        Assert.True(r.Record.Summary.BoundedStalenessWaits > 0);
    }

    [Fact]
    public void A_simulated_ssp_run_interrupted_and_resumed_is_bit_identical()
    {
        var o = Straggler with { StalenessPolicy = "ssp:2", Updates = 400 };
        var full = TestSupport.Train(o);
        var (first, resumed) = TestSupport.InterruptAndResume(o, 137, 50, "ssp-resume");
        Assert.Equal(RunStatus.Interrupted, first.Status);
        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.Equal(full.Parameters, resumed.Parameters);
        Assert.Equal(full.Record.Summary.Staleness.Histogram, resumed.Record.Summary.Staleness.Histogram);
        Assert.Equal(full.Record.Summary.SimulatedSeconds, resumed.Record.Summary.SimulatedSeconds);
    }

    [Fact]
    public void The_gate_counts_and_bounds()
    {
        var gate = new BoundedStalenessGate(3, 1);
        Assert.True(gate.MayStart(0));
        gate.OnApplied(0);
        Assert.True(gate.MayStart(0)); // 1 ahead of the slowest: allowed with S = 1
        gate.OnApplied(0);
        Assert.False(gate.MayStart(0)); // 2 ahead
        Assert.True(gate.MayStart(1));
        gate.OnApplied(1);
        gate.OnApplied(2);
        Assert.True(gate.MayStart(0)); // the slowest caught up
        Assert.Equal(2, gate.MaxLead);
        // A blocked group leaves its wait when the run stops.
        var lockstep = new BoundedStalenessGate(2, 0);
        lockstep.OnApplied(0);
        Assert.False(lockstep.WaitUntilAllowed(0, () => true));
        Assert.Equal(1, lockstep.Waits);
        Assert.True(lockstep.WaitUntilAllowed(1, () => true));
        Assert.Throws<ArgumentException>(() => new BoundedStalenessGate(2, -1));
    }
}
