using System.Diagnostics;
using System.Numerics.Tensors;
using Polyak.Models;
using Polyak.Numerics;

namespace Polyak.Execution;

/// <summary>
/// A deterministic discrete-event simulation of N workers in g compute groups against the real parameter server:
/// gradients are real (computed on exactly the parameters the group read), only the clock is simulated
/// (<see cref="ClockModel"/>). Events are group completions ordered by (simulated time, group index); at each one the
/// group's update is applied, then the group reads the new parameters and draws its next batch and cycle time.
/// Gradients of in-flight groups are pure functions of (read snapshot, batch, member workspace), so they are computed
/// lazily and in parallel on all cores without changing a single bit: same seed, same run.
/// </summary>
public sealed class SimulatedBackend : IResumableBackend
{
    /// <summary>Evaluations run on the event loop's one thread, so their whole time is wall time.</summary>
    public bool EvaluatesInParallel => false;

    /// <summary>Creates the backend; <paramref name="maxParallelism"/> caps the threads evaluating gradients (null = all cores).</summary>
    public SimulatedBackend(int? maxParallelism = null)
    {
        if (maxParallelism is < 1) throw new ArgumentOutOfRangeException(nameof(maxParallelism), maxParallelism, "parallelism must be >= 1");
        MaxParallelism = maxParallelism ?? Environment.ProcessorCount;
    }

    /// <summary>Largest number of threads used to evaluate in-flight gradients.</summary>
    public int MaxParallelism { get; }

    /// <inheritdoc/>
    public string Name => "simulated";

    /// <summary>The state of the last (or current) run, for inspection and checkpoints (<see cref="SimulationRun.GetState"/>).</summary>
    public SimulationRun? Current { get; private set; }

    /// <summary>
    /// When set, the next <see cref="Run"/> continues from this state (taken with <see cref="SimulationRun.GetState"/>)
    /// instead of starting every group at version 0. The caller restores the parameter server (w, v, version, staleness)
    /// and the monitor's applied-update count from the same checkpoint.
    /// </summary>
    public SimulationState? ResumeFrom { get; set; }

    /// <inheritdoc/>
    public void Run(TrainingContext context)
    {
        var run = new SimulationRun(context, MaxParallelism);
        Current = run;
        if (ResumeFrom is { } state) run.SetState(state);
        run.Execute(startCycles: ResumeFrom is null);
    }

    /// <inheritdoc/>
    public System.Text.Json.JsonElement CaptureState() =>
        System.Text.Json.JsonSerializer.SerializeToElement(
            Current?.GetState() ?? throw new InvalidOperationException("the simulator has no run to capture"), Json.Compact);

    /// <inheritdoc/>
    public void RestoreState(System.Text.Json.JsonElement state, TrainingContext context)
    {
        try
        {
            ResumeFrom = System.Text.Json.JsonSerializer.Deserialize<SimulationState>(state, Json.Compact)
                ?? throw new ArgumentException("checkpoint: empty simulator state");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ArgumentException($"checkpoint: simulator state is not valid: {ex.Message}");
        }
    }
}

/// <summary>
/// One simulated run: the clock, the event queue (derived from each group's completion time), the in-flight reads
/// and every random stream. Its whole state is explicit (see <see cref="SimulationState"/>).
/// </summary>
public sealed class SimulationRun
{
    private readonly TrainingContext _ctx;
    private readonly ClockModel _clock;
    private readonly RandomStream[] _timeStreams;
    private readonly GroupSlot[] _groups;
    private readonly PriorityQueue<int, (double Time, int Group)> _events;
    private readonly int[] _pending;
    private int _pendingCount;
    private readonly int[] _taskGroup;
    private readonly int[] _taskMember;
    private readonly Action<int> _computeTask;
    private readonly int _parallelism;
    private readonly float[] _evalBuffer;
    private readonly ModelWorkspace _evalWorkspace;
    private double _now;
    private long _gradients;
    private long _batches;

    internal SimulationRun(TrainingContext context, int maxParallelism)
    {
        _ctx = context;
        var o = context.Options;
        _clock = new ClockModel(o.Given.Simulation, o.Workers, o.Groups, o.Batch);
        int d = context.Model.ParameterCount;
        _timeStreams = new RandomStream[o.Workers];
        for (int w = 0; w < o.Workers; w++) _timeStreams[w] = RandomStream.Derive(o.Seed, 0x51AC, (ulong)w);
        _groups = new GroupSlot[o.Groups];
        int slice = BatchSplit.MaxSlice(o.Batch, o.GroupSize);
        for (int g = 0; g < o.Groups; g++)
        {
            var ws = new ModelWorkspace[o.GroupSize];
            var grads = new float[o.GroupSize][];
            for (int m = 0; m < o.GroupSize; m++)
            {
                // Same workspace seeds as the threads backend: worker index g * k + m.
                ws[m] = context.Model.CreateWorkspace(slice, RandomStream.DeriveSeed(o.Seed, 0x3011, (ulong)(g * o.GroupSize + m)));
                grads[m] = new float[d];
            }
            _groups[g] = new GroupSlot(new float[d], new int[o.Batch], grads, ws, new float[o.GroupSize], o.GroupSize == 1 ? grads[0] : new float[d]);
        }
        _events = new PriorityQueue<int, (double, int)>(o.Groups, EventOrder.Instance);
        _pending = new int[o.Groups];
        _taskGroup = new int[o.Workers];
        _taskMember = new int[o.Workers];
        _computeTask = ComputeTask;
        _parallelism = Math.Max(1, Math.Min(maxParallelism, o.Workers));
        _evalBuffer = new float[d];
        _evalWorkspace = context.Model.CreateWorkspace(Math.Min(256, Math.Max(1, context.Data.EvalRows.Length)), 0);
    }

    /// <summary>The simulated clock in seconds.</summary>
    public double Now => Volatile.Read(ref _now);

    /// <summary>The hardware model of the run.</summary>
    public ClockModel Clock => _clock;

    /// <summary>Gradient evaluations performed (member slices).</summary>
    public long GradientEvaluations => _gradients;

    /// <summary>Number of parallel batches of gradient evaluations.</summary>
    public long ParallelBatches => _batches;

    internal void Execute(bool startCycles)
    {
        var monitor = _ctx.Monitor;
        var server = _ctx.Server;
        monitor.SimulatedClock = () => Now;
        double? limit = monitor.TimeLimitSeconds;
        long startTicks = Stopwatch.GetTimestamp();
        using var pool = new WorkPool(_parallelism - 1);
        if (startCycles)
            for (int g = 0; g < _groups.Length; g++) StartCycle(g);
        while (_events.TryPeek(out int group, out var when))
        {
            if (limit is double l && when.Time >= l)
            {
                Volatile.Write(ref _now, l);
                monitor.RequestStop(RunStatus.Completed, $"reached the time limit ({l} s simulated)");
                break;
            }
            if (monitor.ShouldStop) break; // the clock stays at the last applied update
            Volatile.Write(ref _now, when.Time);
            _events.Dequeue();
            var slot = _groups[group];
            if (!slot.Ready) ComputePending(pool);
            double loss = Combine(slot);
            _ctx.BeforePushHook?.Invoke(group, slot.Steps);
            if (!monitor.TryReserveUpdate()) break;
            long tau = server.Apply(slot.Sum, slot.ReadVersion);
            long version = slot.ReadVersion + tau + 1;
            _ctx.UpdateHook?.Invoke(group, slot.ReadVersion, tau);
            slot.Steps++;
            bool evaluate = monitor.OnApplied(version, loss);
            if (evaluate)
            {
                long v = server.Read(_evalBuffer);
                _ctx.EvaluateAndRecord(_evalBuffer, v, _evalWorkspace);
            }
            StartCycle(group);
            // A consistent point: every group has an in-flight read. Checkpoints taken here resume bit-identically.
            if (_ctx.WriteCheckpoint is not null && monitor.CheckpointDue(version)) _ctx.WriteCheckpoint();
        }
        double wall = Stopwatch.GetElapsedTime(startTicks).TotalSeconds;
        long applied = server.Version;
        var rec = _ctx.BackendRecord;
        rec["simulated_seconds"] = Now;
        rec["simulated_seconds_per_update"] = applied == 0 ? double.NaN : Now / applied;
        rec["wall_seconds"] = wall;
        rec["clock_model"] = _clock.Describe();
        rec["gradient_evaluations"] = _gradients;
        rec["parallel_batches"] = _batches;
        rec["threads"] = _parallelism;
    }

    /// <summary>The group reads the current parameters, draws its batch and the duration of its cycle.</summary>
    private void StartCycle(int group)
    {
        var slot = _groups[group];
        slot.ReadVersion = _ctx.Server.Read(slot.Parameters);
        _ctx.Samplers[group].Next(slot.Batch);
        slot.ReadTime = Now;
        slot.Completion = Now + _clock.CycleTime(group, _timeStreams);
        slot.Ready = false;
        _pending[_pendingCount++] = group;
        _events.Enqueue(group, (slot.Completion, group));
    }

    /// <summary>Computes the gradients of every in-flight group that has not got one yet, in parallel.</summary>
    private void ComputePending(WorkPool pool)
    {
        int k = _clock.GroupSize, tasks = 0;
        for (int i = 0; i < _pendingCount; i++)
        {
            for (int m = 0; m < k; m++)
            {
                _taskGroup[tasks] = _pending[i];
                _taskMember[tasks] = m;
                tasks++;
            }
        }
        pool.Run(tasks, _computeTask);
        for (int i = 0; i < _pendingCount; i++) _groups[_pending[i]].Ready = true;
        _gradients += tasks;
        _batches++;
        _pendingCount = 0;
    }

    private void ComputeTask(int task)
    {
        var slot = _groups[_taskGroup[task]];
        int m = _taskMember[task];
        var (start, length) = BatchSplit.Slice(slot.Batch.Length, _clock.GroupSize, m);
        slot.Losses[m] = _ctx.Model.LossAndGradient(slot.Parameters, _ctx.Data.Train, slot.Batch.AsSpan(start, length), slot.Gradients[m], slot.Workspaces[m]);
    }

    /// <summary>Weighted mean of the member gradients (same arithmetic as the threads backend); returns the batch loss.</summary>
    private static double Combine(GroupSlot slot) => BatchSplit.Combine(slot.Gradients, slot.Losses, slot.Batch.Length, slot.Sum);

    /// <summary>
    /// The explicit state of the simulation between two events: clock, per-group in-flight reads (version, time,
    /// completion, snapshot, batch), the per-worker time streams and the batch samplers. Together with the parameter
    /// server's state it determines the rest of the run (model workspaces with their own random state aside).
    /// </summary>
    public SimulationState GetState() => new(
        Now,
        _groups.Select(s => new InFlightRead(s.ReadVersion, s.ReadTime, s.Completion, s.Parameters.ToArray(), s.Batch.ToArray(), s.Steps)).ToArray(),
        _timeStreams.Select(r => r.GetState()).ToArray(),
        _ctx.Samplers.Select(s => s.SamplesDrawn).ToArray());

    /// <summary>
    /// Restores a state taken with <see cref="GetState"/> (before <c>Execute</c>): clock, in-flight reads, time streams
    /// and samplers; every in-flight gradient is recomputed from its snapshot and batch, so a resumed run is bit-identical
    /// to an uninterrupted one for models whose gradient is a pure function of (parameters, batch) — all current models;
    /// models with random workspaces (dropout) also need their workspace state.
    /// </summary>
    internal void SetState(SimulationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int d = _ctx.Model.ParameterCount;
        if (state.Groups.Length != _groups.Length)
            throw new ArgumentException($"simulator state has {state.Groups.Length} groups, this run has {_groups.Length}");
        if (state.TimeStreams.Length != _timeStreams.Length)
            throw new ArgumentException($"simulator state has {state.TimeStreams.Length} worker streams, this run has {_timeStreams.Length} workers");
        if (state.Samplers.Length != _ctx.Samplers.Length)
            throw new ArgumentException($"simulator state has {state.Samplers.Length} samplers, this run has {_ctx.Samplers.Length}");
        if (!(state.Now >= 0) || !double.IsFinite(state.Now)) throw new ArgumentException($"simulator state clock {state.Now} is not a time >= 0");
        long version = _ctx.Server.Version;
        for (int g = 0; g < _groups.Length; g++)
        {
            var r = state.Groups[g];
            if (r.Parameters.Length != d) throw new ArgumentException($"simulator state, group {g}: {r.Parameters.Length} parameters, the model has {d}");
            if (r.Batch.Length != _groups[g].Batch.Length) throw new ArgumentException($"simulator state, group {g}: batch of {r.Batch.Length}, this run uses {_groups[g].Batch.Length}");
            if (r.ReadVersion < 0 || r.ReadVersion > version)
                throw new ArgumentException($"simulator state, group {g}: read version {r.ReadVersion} outside [0, {version}] (restore the parameter server first)");
            if (!(r.Completion >= state.Now) || !double.IsFinite(r.Completion))
                throw new ArgumentException($"simulator state, group {g}: completion time {r.Completion} is before the clock {state.Now}");
        }
        for (int w = 0; w < _timeStreams.Length; w++) _timeStreams[w] = RandomStream.FromState(state.TimeStreams[w]);
        for (int g = 0; g < _ctx.Samplers.Length; g++)
        {
            var sampler = _ctx.Samplers[g];
            if (sampler.SamplesDrawn == 0) sampler.FastForward(state.Samplers[g]);
            else if (sampler.SamplesDrawn != state.Samplers[g])
                throw new ArgumentException($"simulator state, group {g}: batch stream at {state.Samplers[g]} samples, the run's is at {sampler.SamplesDrawn}");
        }
        _events.Clear();
        _pendingCount = 0;
        for (int g = 0; g < _groups.Length; g++)
        {
            var slot = _groups[g];
            var r = state.Groups[g];
            r.Parameters.CopyTo(slot.Parameters, 0);
            r.Batch.CopyTo(slot.Batch, 0);
            slot.ReadVersion = r.ReadVersion;
            slot.ReadTime = r.ReadTime;
            slot.Completion = r.Completion;
            slot.Steps = r.Steps;
            slot.Ready = false;
            _pending[_pendingCount++] = g;
            _events.Enqueue(g, (slot.Completion, g));
        }
        Volatile.Write(ref _now, state.Now);
    }

    private sealed class GroupSlot(float[] parameters, int[] batch, float[][] gradients, ModelWorkspace[] workspaces, float[] losses, float[] sum)
    {
        public float[] Parameters { get; } = parameters;
        public int[] Batch { get; } = batch;
        public float[][] Gradients { get; } = gradients;
        public ModelWorkspace[] Workspaces { get; } = workspaces;
        public float[] Losses { get; } = losses;
        public float[] Sum { get; } = sum;
        public long ReadVersion;
        public double ReadTime;
        public double Completion;
        public bool Ready;
        public long Steps;
    }

    /// <summary>Events by simulated time, ties broken by group index (deterministic).</summary>
    private sealed class EventOrder : IComparer<(double Time, int Group)>
    {
        public static readonly EventOrder Instance = new();

        public int Compare((double Time, int Group) x, (double Time, int Group) y)
        {
            int c = x.Time.CompareTo(y.Time);
            return c != 0 ? c : x.Group.CompareTo(y.Group);
        }
    }
}

/// <summary>Serializable state of a simulated run between two events (see <see cref="SimulationRun.GetState"/>).</summary>
public sealed record SimulationState(double Now, InFlightRead[] Groups, ulong[][] TimeStreams, long[] Samplers);

/// <summary>One group's in-flight read: the version and parameters it read, when, when it completes, its batch.</summary>
public sealed record InFlightRead(long ReadVersion, double ReadTime, double Completion, float[] Parameters, int[] Batch, long Steps);
