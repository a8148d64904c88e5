using Polyak.Execution;
using Polyak.Numerics;
using Polyak.Optimization;

namespace Polyak.Tests.Optimization;

/// <summary>The one update core: the DESIGN step exactly, its bookkeeping, its parts (Hogwild, sequencer) and its observers.</summary>
public class UpdateCoreTests
{
    private static float[] Random(int n, ulong seed)
    {
        var r = new RandomStream(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(r.NextDouble() * 2 - 1);
        return x;
    }

    [Fact]
    public void ApplyIsTheHeavyBallStepWithTheScheduleAtTheVersionAndRecordsTheStaleness()
    {
        var w0 = Random(37, 1);
        var schedule = LearningRateSchedule.Parse("step:3:0.5", 0.2);
        var core = new UpdateCore(ServerState.Initial(w0, 0.7), 1e-3, schedule);
        var w = (float[])w0.Clone();
        var v = new float[w.Length];
        long[] reads = [0, 0, 1, 3, 2, 5];
        for (int t = 0; t < reads.Length; t++)
        {
            var g = Random(w.Length, 10 + (ulong)t);
            Assert.Equal(t - reads[t], core.Apply(g, reads[t]));
            HeavyBall.Step(w, v, g, 0.7f, (float)schedule.At(t), 1e-3f);
        }
        Assert.Equal(reads.Length, core.Version);
        Assert.Equal(w, core.W.ToArray());
        Assert.Equal(v, core.V.ToArray());
        // staleness 0, 1, 1, 0, 2, 0
        Assert.Equal([3L, 2L, 1L], core.Staleness.ToArray());
    }

    [Fact]
    public void AReadFromTheFutureOrBeforeTheStartIsRefusedAndChangesNothing()
    {
        var core = new UpdateCore(ServerState.Initial(new float[4], 0), 0, LearningRateSchedule.Constant(0.1));
        core.Apply(new float[4], 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => core.Apply(new float[4], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => core.Apply(new float[4], -1));
        Assert.False(core.TryPrepare(5, out _));
        Assert.Equal(1, core.Version);
        Assert.Equal(1, core.Staleness.Total);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void TheMomentumIsCheckedInOnePlace(double mu)
    {
        var core = new UpdateCore(ServerState.Initial(new float[2], 0), 0, LearningRateSchedule.Constant(0.1));
        var a = Assert.Throws<ArgumentException>(() => core.Momentum = mu);
        var b = Assert.Throws<ArgumentException>(() => new UpdateCore(ServerState.Initial(new float[2], mu), 0, LearningRateSchedule.Constant(0.1)));
        var c = Assert.Throws<ArgumentException>(() => Momentum.Validate(mu, "momentum"));
        Assert.Equal(c.Message, a.Message);
        Assert.Contains("must be in (-1, 1)", b.Message);
        Assert.Equal(0, core.Momentum);
    }

    [Fact]
    public void TheSequencersPartsAndAShardSliceReproduceTheWholeServer()
    {
        // The cluster splits one update: a sequencer core over a few tracked coordinates orders it, shard cores over
        // contiguous slices apply it. Every part must hold exactly the values of one core over the whole vector.
        int d = 50;
        var w0 = Random(d, 2);
        var schedule = LearningRateSchedule.Parse("cosine:20", 0.3);
        var whole = new UpdateCore(ServerState.Initial(w0, -0.4), 1e-2, schedule);
        var shards = new[] { (0, 17), (17, 17), (34, 16) }.Select(s =>
            new UpdateCore(new ServerState(0, -0.4, w0[s.Item1..(s.Item1 + s.Item2)], new float[s.Item2], []), 1e-2, schedule, CoordinateSet.Range(s.Item1, s.Item2))).ToArray();
        int[] tracked = [3, 17, 18, 40, 49];
        var sequencer = new UpdateCore(new ServerState(0, -0.4, tracked.Select(i => w0[i]).ToArray(), new float[tracked.Length], []), 1e-2, schedule, CoordinateSet.Of(tracked));
        for (int t = 0; t < 20; t++)
        {
            var g = Random(d, 100 + (ulong)t);
            long read = Math.Max(0, t - (t % 3));
            whole.Apply(g, read);
            Assert.True(sequencer.TryPrepare(read, out var step));
            foreach (var shard in shards)
            {
                Assert.Equal(step.T, shard.Version);
                shard.Momentum = step.Mu;
                shard.Apply(g.AsSpan(shard.Coordinates.Offset, shard.Length), read);
            }
            var gathered = tracked.Select(i => g[i]).ToArray();
            sequencer.Step(step, gathered);
            sequencer.Record(step, gathered);
            sequencer.Advance(step);
        }
        Assert.Equal(whole.W.ToArray(), shards.SelectMany(s => s.W.ToArray()).ToArray());
        Assert.Equal(whole.V.ToArray(), shards.SelectMany(s => s.V.ToArray()).ToArray());
        Assert.Equal(tracked.Select(i => whole.W[i]), sequencer.W.ToArray());
        Assert.Equal(tracked.Select(i => whole.V[i]), sequencer.V.ToArray());
        Assert.Equal(whole.Staleness.ToArray(), sequencer.Staleness.ToArray());
        Assert.Equal(whole.Version, sequencer.Version);
    }

    [Fact]
    public void ObserversSeeTheNewStepTheGradientAndTheCoordinatesTheyHold()
    {
        var core = new UpdateCore(new ServerState(0, 0.5, [1f, 2f], [0f, 0f], []), 0, LearningRateSchedule.Constant(0.1), CoordinateSet.Of([4, 9]));
        var seen = new Recorder();
        core.Attach(seen);
        core.Apply([1f, -1f], 0);
        core.Apply([2f, 0f], 0);
        Assert.Equal([(1L, 0L), (2L, 1L)], seen.Updates);
        // v1 = -0.1 g0; v2 = 0.5 v1 - 0.1 g1
        Assert.Equal([0.5f * -0.1f - 0.2f, 0.5f * 0.1f], seen.LastStep);
        Assert.Equal([2f, 0f], seen.LastGradient);
        Assert.Equal(9, seen.Coordinates!.Global(1));
        Assert.Equal(1, seen.Coordinates.LocalOf(9));
        Assert.Equal(-1, seen.Coordinates.LocalOf(5));
        core.Detach(seen);
        core.Apply([0f, 0f], 2);
        Assert.Equal(2, seen.Updates.Count);
    }

    [Fact]
    public void AnObserverThatThrowsCannotLeaveTheVersionBehindTheParameters()
    {
        var core = new UpdateCore(ServerState.Initial([1f, 1f], 0), 0, LearningRateSchedule.Constant(0.5));
        core.Attach(new Throwing());
        Assert.Throws<InvalidOperationException>(() => core.Apply([1f, 1f], 0));
        Assert.Equal(1, core.Version);
        Assert.Equal([0.5f, 0.5f], core.W.ToArray());
        Assert.Equal(1, core.Staleness.Total);
    }

    private sealed class Throwing : IUpdateObserver
    {
        public void OnUpdate(in AppliedUpdate update) => throw new InvalidOperationException("observer failed");
    }

    [Fact]
    public void StateRoundTripsAndIsValidated()
    {
        var core = new UpdateCore(ServerState.Initial(Random(8, 3), 0.2), 0, LearningRateSchedule.Constant(0.1));
        for (int t = 0; t < 5; t++) core.Apply(Random(8, 20 + (ulong)t), t / 2);
        var state = core.GetState();
        var copy = new UpdateCore(ServerState.Initial(new float[8], 0), 0, LearningRateSchedule.Constant(0.1));
        copy.SetState(state);
        Assert.Equal(core.W.ToArray(), copy.W.ToArray());
        Assert.Equal(core.V.ToArray(), copy.V.ToArray());
        Assert.Equal(core.Staleness.ToArray(), copy.Staleness.ToArray());
        Assert.Equal(5, copy.Version);
        Assert.Throws<ArgumentException>(() => copy.SetState(state with { W = new float[7] }));
        Assert.Throws<ArgumentException>(() => copy.SetState(state with { Staleness = [9] }));
        Assert.Throws<ArgumentException>(() => copy.SetState(state with { Version = -1 }));
    }

    [Fact]
    public void HogwildGivesEveryUpdateItsOwnVersionUnderContention()
    {
        var server = new ParameterServer(new float[64], 0.3, 0, LearningRateSchedule.Constant(1e-3), UpdateDiscipline.Hogwild);
        var recorder = new Recorder();
        server.Core.Attach(recorder);
        Parallel.For(0, 4, _ =>
        {
            var w = new float[64];
            var g = new float[64];
            for (int i = 0; i < 500; i++)
            {
                long read = server.Read(w);
                for (int j = 0; j < 64; j++) g[j] = w[j] + 1;
                server.Apply(g, read);
            }
        });
        Assert.Equal(2000, server.Version);
        Assert.Equal(Enumerable.Range(1, 2000).Select(i => (long)i), recorder.Updates.Select(u => u.Version).Order());
        Assert.Equal(2000, server.Staleness.Total);
    }

    private sealed class Recorder : IUpdateObserver
    {
        public List<(long Version, long Staleness)> Updates { get; } = [];
        public float[] LastStep { get; private set; } = [];
        public float[] LastGradient { get; private set; } = [];
        public CoordinateSet? Coordinates { get; private set; }

        public void OnUpdate(in AppliedUpdate update)
        {
            Updates.Add((update.Version, update.Staleness));
            LastStep = update.Step.ToArray();
            LastGradient = update.Gradient.ToArray();
            Coordinates = update.Coordinates;
        }
    }
}
