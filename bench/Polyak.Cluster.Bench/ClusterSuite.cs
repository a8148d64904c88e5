using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Orleans.TestingHost;
using Polyak.Cluster.Client;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Execution;
using Polyak.Training;

namespace Polyak.Bench;

/// <summary>
/// Cluster transport: raw loopback TCP byte throughput; push/pull round trips per second and MB/s of a 1M-parameter
/// server (4 shards, byte payloads) with 1, 4 and 16 concurrent workers on a 2-silo in-process cluster (its messages
/// cross loopback TCP); updates/s of a cluster run against the threads backend for the same model.
/// Args: [--seconds S] [--parameters D] [--workers LIST] [--json].
/// </summary>
public static class ClusterSuite
{
    /// <summary>Entry point: <c>dotnet run -c Release --project bench/Polyak.Cluster.Bench -- [args]</c>.</summary>
    public static int Main(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        double seconds = 4;
        int d = 1_000_000;
        int[] workers = [1, 4, 16];
        bool json = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--parameters": d = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--workers": workers = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                case "--json": json = true; break;
                default: Console.Error.WriteLine($"unknown argument '{args[i]}'"); return 2;
            }
        }
        var results = new Dictionary<string, object?>();
        var c = CultureInfo.InvariantCulture;

        var (rawMBs, rawRtts) = await RawLoopback(d * sizeof(float), seconds);
        Console.WriteLine(string.Create(c, $"raw loopback TCP: {rawMBs:F0} MB/s one way; {rawRtts:F1} round trips/s of {d * 4 / 1e6:F1} MB each way"));
        results["raw_loopback_mb_per_s"] = rawMBs;
        results["raw_loopback_round_trips_per_s"] = rawRtts;

        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var pushPull = new List<Dictionary<string, object?>>();
            foreach (int n in workers)
            {
                var (rtts, mbs) = await PushPull(cluster.Client, d, n, seconds);
                Console.WriteLine(string.Create(c, $"push/pull, {d:N0} params, 4 shards, {n,2} workers: {rtts,7:F1} round trips/s, {mbs,7:F0} MB/s ({mbs / rawMBs:P0} of raw loopback)"));
                pushPull.Add(new Dictionary<string, object?> { ["workers"] = n, ["round_trips_per_s"] = rtts, ["mb_per_s"] = mbs });
            }
            results["push_pull"] = pushPull;

            var opts = new TrainingOptions { Model = "softmax", Workers = 4, Batch = 64, Updates = 4000, EvalEvery = 1000, Seed = 1, CheckpointEvery = 0 };
            var threads = new Trainer().Run(opts with { Backend = "threads" });
            BackendCatalog.Register("cluster", () => new ClusterBackend(cluster.Client));
            var clustered = new Trainer().Run(opts with { Backend = "cluster" });
            Console.WriteLine(string.Create(c, $"softmax ({threads.Record.Model.Parameters:N0} params), 4 async workers, batch 64: threads {threads.Record.Summary.UpdatesPerSecond:F0} updates/s, cluster {clustered.Record.Summary.UpdatesPerSecond:F0} updates/s"));
            results["updates_per_s_threads"] = threads.Record.Summary.UpdatesPerSecond;
            results["updates_per_s_cluster"] = clustered.Record.Summary.UpdatesPerSecond;
            results["final_loss_threads"] = threads.Record.Summary.FinalLoss;
            results["final_loss_cluster"] = clustered.Record.Summary.FinalLoss;
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
        if (json) Console.WriteLine(JsonSerializer.Serialize(results, Json.Compact));
        return 0;
    }

    /// <summary>Echo of <paramref name="bytes"/>-byte messages over a loopback socket.</summary>
    private static async Task<(double MBs, double RoundTrips)> RawLoopback(int bytes, double seconds)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serverTask = Task.Run(async () =>
        {
            using var s = await listener.AcceptTcpClientAsync();
            s.NoDelay = true;
            var stream = s.GetStream();
            var buffer = new byte[bytes];
            while (true)
            {
                int got = 0;
                while (got < bytes)
                {
                    int r = await stream.ReadAsync(buffer.AsMemory(got));
                    if (r == 0) return;
                    got += r;
                }
                await stream.WriteAsync(buffer);
            }
        });
        using var client = new TcpClient();
        client.NoDelay = true;
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var cs = client.GetStream();
        var payload = new byte[bytes];
        var reply = new byte[bytes];
        long trips = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            await cs.WriteAsync(payload);
            int got = 0;
            while (got < bytes) got += await cs.ReadAsync(reply.AsMemory(got));
            trips++;
        }
        double elapsed = sw.Elapsed.TotalSeconds;
        client.Close();
        try { await serverTask; } catch (IOException) { }
        return (2.0 * trips * bytes / 1e6 / elapsed, trips / elapsed);
    }

    /// <summary>n concurrent workers each pulling all shards and pushing (stage + commit) a gradient.</summary>
    private static async Task<(double RoundTrips, double MBs)> PushPull(IClusterClient client, int d, int n, double seconds)
    {
        string job = $"bench-{n}-{Guid.NewGuid().ToString("N")[..6]}";
        const int k = 4;
        var spec = new JobSpec
        {
            JobId = job, OptionsJson = JsonSerializer.Serialize(new TrainingOptions { LearningRate = 1e-6 }, Json.Indented),
            Shards = k, Dimension = d, UpdateLimit = long.MaxValue, EvalEvery = int.MaxValue, Workers = n, Groups = n,
        };
        var sequencer = client.GetGrain<IUpdateSequencerGrain>(job);
        await sequencer.Start(spec, new byte[d * sizeof(float)]);
        var shards = Enumerable.Range(0, k).Select(i => client.GetGrain<IShardGrain>($"{job}/{i}")).ToArray();
        var slices = Enumerable.Range(0, k).Select(i => ShardLayout.Slice(d, k, i)).ToArray();
        long trips = 0;
        var deadline = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, n).Select(async w =>
        {
            var grads = slices.Select(s => new byte[s.Length * sizeof(float)]).ToArray();
            var random = new Random(w);
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                long v = await sequencer.CommittedVersion();
                await Task.WhenAll(shards.Select(s => s.Read(v)));
                long id = random.NextInt64();
                await Task.WhenAll(shards.Select((s, i) => s.Stage(id, grads[i])));
                await sequencer.Commit(new CommitRequest { PushId = id, ReadVersion = v, BatchLoss = 0 });
                Interlocked.Increment(ref trips);
            }
        }).ToArray();
        await Task.WhenAll(tasks);
        double elapsed = deadline.Elapsed.TotalSeconds;
        foreach (var s in shards) await s.Release();
        return (trips / elapsed, trips * 2.0 * d * sizeof(float) / 1e6 / elapsed);
    }

    /// <summary>Adds Polyak's services to the benchmark's silos.</summary>
    public sealed class SiloConfigurator : ISiloConfigurator
    {
        /// <inheritdoc/>
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPolyakServices();
    }
}
