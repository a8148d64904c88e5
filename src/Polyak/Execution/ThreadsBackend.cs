using System.Numerics.Tensors;
using Polyak.Models;

namespace Polyak.Execution;

/// <summary>
/// Real OS threads on this machine, real races. N worker threads in g compute groups: the leader of a group reads
/// the parameters and draws one B-sample batch from the group's stream; every member computes the mean gradient
/// of its slice; the leader averages them and pushes one update. g = 1 is synchronous (a barrier per step),
/// g = N is fully asynchronous. Each thread owns its buffers: a step allocates nothing.
/// </summary>
public sealed class ThreadsBackend : IExecutionBackend
{
    /// <inheritdoc/>
    public string Name => "threads";

    /// <inheritdoc/>
    public void Run(TrainingContext context)
    {
        var o = context.Options;
        var groups = new Group[o.Groups];
        for (int g = 0; g < o.Groups; g++) groups[g] = new Group(context, g);
        var threads = new List<Thread>();
        Exception? failure = null;
        for (int g = 0; g < o.Groups; g++)
        {
            for (int m = 0; m < o.GroupSize; m++)
            {
                var group = groups[g];
                int member = m;
                var thread = new Thread(() =>
                {
                    try
                    {
                        if (member == 0) group.RunLeader(); else group.RunMember(member);
                    }
                    catch (OperationCanceledException)
                    {
                        // the group was aborted because one of its members failed
                    }
                    catch (Exception ex)
                    {
                        Interlocked.CompareExchange(ref failure, ex, null);
                        context.Monitor.RequestStop(RunStatus.Failed, $"worker {group.Index * o.GroupSize + member} failed: {ex.Message}");
                        group.Abort();
                    }
                })
                {
                    IsBackground = true,
                    Name = $"polyak-worker-{g}.{m}",
                };
                threads.Add(thread);
            }
        }
        long startTicks = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        // What the timings were measured on: one OS thread per worker, over this many cores.
        var rec = context.BackendRecord;
        rec["worker_threads"] = threads.Count;
        rec["processor_count"] = Environment.ProcessorCount;
        rec["discipline"] = context.Server.Discipline.ToString().ToLowerInvariant();
        rec["wall_seconds"] = System.Diagnostics.Stopwatch.GetElapsedTime(startTicks).TotalSeconds;
        if (failure is not null) throw new InvalidOperationException($"a worker failed: {failure.Message}", failure);
    }

    /// <summary>One compute group: shared read buffer and batch, one gradient buffer and workspace per member.</summary>
    private sealed class Group
    {
        private readonly TrainingContext _ctx;
        private readonly int _size;
        private readonly float[] _w;
        private readonly int[] _batch;
        private readonly float[][] _grads;
        private readonly float[] _losses;
        private readonly ModelWorkspace[] _workspaces;
        private readonly Barrier? _barrier;
        private readonly float[] _sum;
        private readonly CancellationTokenSource _abort = new();
        private volatile bool _done;
        private long _readVersion;

        public Group(TrainingContext ctx, int index)
        {
            _ctx = ctx;
            Index = index;
            var o = ctx.Options;
            _size = o.GroupSize;
            int d = ctx.Model.ParameterCount;
            _w = new float[d];
            _batch = new int[o.Batch];
            _grads = new float[_size][];
            _workspaces = new ModelWorkspace[_size];
            _losses = new float[_size];
            int slice = BatchSplit.MaxSlice(o.Batch, _size);
            for (int m = 0; m < _size; m++)
            {
                _grads[m] = new float[d];
                _workspaces[m] = ctx.Model.CreateWorkspace(slice, Numerics.RandomStream.DeriveSeed(o.Seed, 0x3011, (ulong)(index * _size + m)));
            }
            _sum = _size == 1 ? _grads[0] : new float[d];
            _barrier = _size > 1 ? new Barrier(_size) : null;
            EvalWorkspace = ctx.Model.CreateWorkspace(Math.Min(256, Math.Max(1, ctx.Data.EvalRows.Length)), 0);
            EvalBuffer = new float[d];
        }

        public int Index { get; }

        private ModelWorkspace EvalWorkspace { get; }

        private float[] EvalBuffer { get; }

        public void Abort()
        {
            _done = true;
            _abort.Cancel();
        }

        public void RunLeader()
        {
            var server = _ctx.Server;
            var monitor = _ctx.Monitor;
            var sampler = _ctx.Samplers[Index];
            int batch = _ctx.Options.Batch;
            long step = 0;
            while (true)
            {
                if (monitor.ShouldStop)
                {
                    _done = true;
                    SignalMembers();
                    return;
                }
                _readVersion = server.Read(_w);
                sampler.Next(_batch);
                SignalMembers(); // phase A: parameters and batch ready
                ComputeSlice(0);
                WaitMembers(); // phase B: all member gradients ready
                double loss = Combine(batch);
                _ctx.BeforePushHook?.Invoke(Index, step);
                if (!monitor.TryReserveUpdate()) continue; // limit reached by other groups: drop and stop
                long tau = server.Apply(_sum, _readVersion);
                long version = _readVersion + tau + 1;
                _ctx.UpdateHook?.Invoke(Index, _readVersion, tau);
                step++;
                _ctx.AfterUpdate(version, loss, EvalBuffer, EvalWorkspace);
            }
        }

        public void RunMember(int member)
        {
            try
            {
                while (true)
                {
                    _barrier!.SignalAndWait(_abort.Token); // phase A
                    if (_done) return;
                    ComputeSlice(member);
                    _barrier.SignalAndWait(_abort.Token); // phase B
                }
            }
            catch (OperationCanceledException)
            {
                // another member of the group failed; the failure is reported by that member
            }
        }

        private void SignalMembers() => _barrier?.SignalAndWait(_abort.Token);

        private void WaitMembers() => _barrier?.SignalAndWait(_abort.Token);

        private void ComputeSlice(int member)
        {
            var (start, length) = BatchSplit.Slice(_batch.Length, _size, member);
            _losses[member] = _ctx.Model.LossAndGradient(_w, _ctx.Data.Train, _batch.AsSpan(start, length), _grads[member], _workspaces[member]);
        }

        /// <summary>Weighted mean of the member gradients into _sum; returns the batch loss.</summary>
        private double Combine(int batch) => BatchSplit.Combine(_grads, _losses, batch, _sum);
    }
}
