using Polyak.Execution;

namespace Polyak.Tests.Simulation;

/// <summary>
/// The simulator's helper pool runs every index of every run exactly once, and nothing of a run after it returned: a
/// helper still looping from one run must not claim an index of the next (it would compute a worker's gradient twice,
/// concurrently, and let the run return while one is still being written).
/// </summary>
public sealed class WorkPoolTests
{
    [Fact]
    public void EveryIndexOfEveryRunRunsExactlyOnceAndNothingRunsAfterItsRunReturned()
    {
        using var pool = new WorkPool(4);
        var counts = new int[8];
        int busy = 0, late = 0, twice = 0;
        var random = new Random(7);
        for (int run = 0; run < 1_000_000; run++)
        {
            int n = 2 + random.Next(5);
            Array.Clear(counts);
            pool.Run(n, i =>
            {
                Interlocked.Increment(ref busy);
                if (Interlocked.Increment(ref counts[i]) > 1) Interlocked.Increment(ref twice);
                Thread.SpinWait(20 * (i & 1));
                Interlocked.Decrement(ref busy);
            });
            if (Volatile.Read(ref busy) != 0) late++;
            for (int i = 0; i < n; i++)
                Assert.True(counts[i] == 1 || twice > 0, $"run {run}: index {i} ran {counts[i]} times");
        }
        Assert.Equal(0, twice);
        Assert.Equal(0, late);
    }
}
