using System.Diagnostics;

namespace Polyak.Execution;

/// <summary>
/// Real OS threads on this machine, real races: one thread per worker. A group's leader thread reads and samples, its
/// member threads compute their slices between two barrier phases, and the leader combines and pushes
/// (<see cref="GroupStep"/>). g = 1 is synchronous (a barrier per step), g = N is fully asynchronous. Each group owns its
/// buffers and its evaluator: a step allocates nothing.
/// </summary>
public sealed class ThreadsBackend : IExecutionBackend
{
    /// <inheritdoc/>
    public string Name => "threads";

    /// <inheritdoc/>
    public void Run(TrainingContext context)
    {
        var plan = context.Plan;
        var groups = new ThreadGroup[plan.Groups];
        for (int g = 0; g < plan.Groups; g++) groups[g] = new ThreadGroup(context, g);
        var threads = new List<Thread>();
        Exception? failure = null;
        foreach (var group in groups)
        {
            for (int m = 0; m < plan.GroupSize; m++)
            {
                int member = m;
                var thread = new Thread(() =>
                {
                    try
                    {
                        if (member == 0) group.RunLeader(); else group.RunMember(member);
                    }
                    catch (OperationCanceledException)
                    {
                        // The user interrupted a long step (the monitor records the stop), or the group was aborted
                        // because one of its members failed: either way the group's other threads leave their barrier.
                        _ = context.Monitor.ShouldStop;
                        group.Abort();
                    }
                    catch (Exception ex)
                    {
                        Interlocked.CompareExchange(ref failure, ex, null);
                        context.Monitor.RequestStop(RunStatus.Failed, $"worker {group.Step.Group * plan.GroupSize + member} failed: {ex.Message}");
                        group.Abort();
                    }
                })
                {
                    IsBackground = true,
                    Name = $"polyak-worker-{group.Step.Group}.{m}",
                };
                threads.Add(thread);
            }
        }
        long startTicks = Stopwatch.GetTimestamp();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        // What the timings were measured on: one OS thread per worker, over this many cores.
        context.BackendRecord = new ThreadsBackendRecord(threads.Count, Environment.ProcessorCount,
            context.Server.Discipline.ToString().ToLowerInvariant(), Stopwatch.GetElapsedTime(startTicks).TotalSeconds);
        if (failure is not null) throw new InvalidOperationException($"a worker failed: {failure.Message}", failure);
    }
}
