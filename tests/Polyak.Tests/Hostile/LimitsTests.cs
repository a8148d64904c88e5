using System.Diagnostics;
using System.Text.Json;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;
using Polyak.Models.Layers;
using Polyak.Training;
using Xunit.Abstractions;

namespace Polyak.Tests.Hostile;

/// <summary>
/// Limits before allocation (sizes that overflow, runs that cannot fit, batches larger than the data) and interruption
/// inside long steps: each refusal is exit 2 with the numbers, each interruption stops the run quickly and resumably.
/// </summary>
public sealed class LimitsTests(ITestOutputHelper output)
{
    private static Dataset Flat(int features, int rows = 64, int classes = 10)
    {
        var x = new float[rows * features];
        var y = new int[rows];
        for (int i = 0; i < rows; i++) y[i] = i % classes;
        return Dataset.ForClassification("flat", x, features, y, classes);
    }

    [Theory]
    [InlineData("fc256-relu-fc10", 784, null, 37)]
    [InlineData("fc300-relu-dropout0.5-fc100-relu-fc10", 784, null, 64)]
    [InlineData("conv32k5-relu-pool2-conv64k5-relu-pool2-fc10", 784, new[] { 1, 28, 28 }, 16)]
    [InlineData("conv8k3p1-relu-pool2-dropout0.25-fc10", 3072, new[] { 3, 32, 32 }, 5)]
    public void TheWorkspaceEstimateIsWhatTheWorkspaceAllocates(string spec, int features, int[]? shape, int batch)
    {
        var net = new Network("n", spec, shape ?? [features], 10);
        long estimate = net.EstimateWorkspaceBytes(batch);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ws = net.CreateWorkspace(batch, 1);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(ws);
        // Array headers and the small objects (states, random streams) are the only difference.
        Assert.InRange(allocated - estimate, 0, 4096);
        Assert.True(estimate > 4L * batch * features, $"{estimate} bytes cannot hold the input batch");
    }

    [Theory]
    [InlineData("mlp:100000,100000", "fc100000: 10,000,100,000 parameters")]
    [InlineData("fc2147483647-fc10", "fc2147483647: 1,685,774,662,895 parameters")]
    [InlineData("mlp:3000000", "fc3000000: 2,355,000,000 parameters")]
    public void LayersWhoseParametersCannotExistAreRefusedNamingTheLayer(string model, string expected)
    {
        // Before: Units * In overflowed int (a negative or wrapped parameter count), then OutOfMemoryException.
        var ex = Assert.Throws<ArgumentException>(() => ModelCatalog.Create(model, Flat(784)));
        Assert.Contains(expected, ex.Message);
        Assert.Contains("more than a parameter vector holds", ex.Message);
    }

    [Fact]
    public void AConvolutionWhoseOutputCannotExistIsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Network("n", "conv2147483647k1-fc10", [1, 28, 28], 10));
        Assert.Contains("output values per sample", ex.Message);
    }

    [Fact]
    public void AWorkspaceBufferNoArrayCanHoldIsRefusedBeforeAllocating()
    {
        var net = new Network("n", "fc100000-relu-fc10", [784], 10);
        var ex = Assert.Throws<ArgumentException>(() => net.CreateWorkspace(60_000, 1));
        Assert.Contains("layer 1 (fc100000) holds 6,000,000,000 values for a batch of 60,000", ex.Message);
    }

    private static readonly TrainingOptions Small = new()
    {
        Data = "synthetic:mixture,dim=784,n=3000,test=100", Model = "softmax", Workers = 2, Updates = 5, EvalSize = 100,
    };

    [Fact]
    public void ARunThatCannotFitIsRefusedWithTheEstimateItsPartsAndTheLimit()
    {
        // --workers 4096 --model mlp:4096: before, OutOfMemoryException after minutes of allocating.
        var ex = Assert.Throws<ArgumentException>(() => RunPlanner.Plan(Small with { Workers = 4096, Model = "mlp:4096" }));
        Assert.StartsWith("the run needs about ", ex.Message);
        Assert.Contains("4,096 workers' gradients and workspaces", ex.Message);
        Assert.Contains("more than the memory available to this process", ex.Message);
        Assert.Contains("--max-memory", ex.Message);

        var limited = Assert.Throws<ArgumentException>(() => RunPlanner.Plan(Small with { MaxMemoryBytes = 1 << 20 }));
        Assert.Contains("more than the limit set by --max-memory (1 MB)", limited.Message);
        var plan = RunPlanner.Plan(Small with { MaxMemoryBytes = 1L << 30 });
        var estimate = MemoryEstimate.For(plan);
        // The data is most of a softmax run: 3,100 rows of 784 floats and their labels.
        Assert.Equal(4L * 3100 * 785, estimate.DataBytes);
        Assert.Equal(4L * 4 * 7850, estimate.ServerBytes);
        Assert.True(estimate.TotalBytes < 1L << 30);
    }

    [Fact]
    public void TheEstimateCountsWhatEachBackendAllocates()
    {
        var threads = MemoryEstimate.For(RunPlanner.Plan(Small with { Workers = 8, Model = "mlp:64" }));
        var simulated = MemoryEstimate.For(RunPlanner.Plan(Small with { Workers = 8, Model = "mlp:64", Backend = "simulated" }));
        var sync = MemoryEstimate.For(RunPlanner.Plan(Small with { Workers = 8, Groups = 1, Model = "mlp:64" }));
        long d = 4L * (784 * 64 + 64 + 64 * 10 + 10);
        // Threads evaluate in every group, the simulator on its one event loop.
        Assert.True(threads.EvaluationBytes > simulated.EvaluationBytes);
        // The simulator's checkpoint copies every group's in-flight read.
        Assert.Equal(3 * (2 * d + 8 * d), simulated.CheckpointBytes);
        Assert.Equal(3 * 2 * d, threads.CheckpointBytes);
        // One group of 8: one read buffer and one combined gradient; 8 groups of 1: a read buffer each.
        Assert.Equal(2 * d + 4L * 64, sync.GroupBytes);
        Assert.Equal(8 * d + 8 * 4L * 64, threads.GroupBytes);
    }

    [Theory]
    [InlineData("512M", 512L << 20)]
    [InlineData("16G", 16L << 30)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("4096", 4096L)]
    [InlineData("2kb", 2048L)]
    public void SizesParse(string text, long bytes) => Assert.Equal(bytes, MemoryEstimate.ParseSize(text));

    [Theory]
    [InlineData("3X")]
    [InlineData("-1G")]
    [InlineData("0")]
    [InlineData("G")]
    [InlineData("1e30")]
    [InlineData("99999999999T")]
    public void BadSizesAreRefused(string text) => Assert.Throws<FormatException>(() => MemoryEstimate.ParseSize(text));

    [Fact]
    public void ABatchLargerThanTheTrainingSplitIsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => RunPlanner.Plan(Small with { Batch = 3001 }));
        Assert.Equal("--batch 3,001 is larger than the training split (3,000 rows); give a --batch of at most 3,000", ex.Message);
        Assert.Equal(3000, RunPlanner.Plan(Small with { Batch = 3000 }).Batch);
    }

    [Theory]
    [InlineData("--batch", "1000000000", "--batch 1,000,000,000 is larger than the training split")]
    [InlineData("--model", "fc2147483647-fc10", "more than a parameter vector holds")]
    [InlineData("--max-memory", "3X", "--max-memory: '3X' is not a size")]
    [InlineData("--max-memory", "1M", "more than the limit set by --max-memory (1 MB)")]
    public void TheCliRefusesWithExit2AndOneLine(string option, string value, string expected)
    {
        string dir = TestSupport.TempDir("limits");
        var r = TestSupport.RunCli("train", "--data", "synthetic:mixture,dim=784,n=3000,test=100", "--updates", "3", option, value,
            "--out", Path.Combine(dir, "run"));
        Assert.Equal(2, r.ExitCode);
        var errors = r.Stderr.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.Contains(expected, errors[0]);
        Assert.DoesNotContain("Exception", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(dir, "run")), "a run refused at planning leaves no run folder");
    }

    private static readonly TrainingOptions Long = new()
    {
        Data = "synthetic:mixture,dim=64,n=4000,test=100", Model = "mlp:256,256", Batch = 2048, LearningRate = 0.05, Momentum = 0.5,
        EvalEvery = 40, EvalSize = 200, Seed = 5, Backend = "simulated", Workers = 4, Updates = 160,
        Simulation = new SimulationOptions { Distribution = "exponential" },
    };

    [Fact]
    public void AnInterruptionInsideLongSimulatedStepsResumesBitIdentically()
    {
        var full = TestSupport.Train(Long);
        var random = new Random(7);
        for (int trial = 0; trial < 3; trial++)
        {
            string dir = TestSupport.TempDir("sim-long-cancel");
            using var cts = new CancellationTokenSource();
            // At a random moment: mostly inside a gradient computation (they are most of the time).
            cts.CancelAfter(TimeSpan.FromMilliseconds(random.Next(150, 900)));
            var first = new Trainer().Run(Long with { OutDir = dir, CheckpointEvery = 1_000_000 }, cts.Token);
            output.WriteLine($"trial {trial}: {first.Status} at update {first.Record.Summary.Updates}");
            if (first.Status == RunStatus.Completed) continue; // the machine was faster than the cancel
            Assert.Equal(RunStatus.Interrupted, first.Status);
            var resumed = new Trainer().Resume(dir);
            Assert.Equal(RunStatus.Completed, resumed.Status);
            Assert.Equal(full.Parameters, resumed.Parameters);
            Assert.Equal(full.MomentumBuffer, resumed.MomentumBuffer);
            Assert.Equal(full.Record.Summary.SimulatedSeconds, resumed.Record.Summary.SimulatedSeconds);
        }
    }

    [Fact]
    public async Task AnInterruptionInsideASynchronousThreadsStepStopsEveryMember()
    {
        // Groups of two on a barrier: a member interrupted mid-slice must release the other (before: a deadlock risk).
        var options = Long with { Backend = "threads", Groups = 2, Simulation = new SimulationOptions(), Updates = 100_000 };
        string dir = TestSupport.TempDir("threads-long-cancel");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(600));
        var run = Task.Run(() => new Trainer().Run(options with { OutDir = dir }, cts.Token));
        var first = await run.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(RunStatus.Interrupted, first.Status);
        var resumed = new Trainer().Resume(dir, o => o with { Updates = first.Record.Summary.Updates + 10 });
        Assert.Equal(first.Record.Summary.Updates + 10, resumed.Record.Summary.Updates);
    }

    [Fact]
    public async Task SigtermInsideOneLongStepStopsWithinTwoSecondsWithAResumableFolder()
    {
        // One update of this MLP on a batch of 8,000 takes several seconds; before, SIGTERM waited for the step to end.
        string dir = TestSupport.TempDir("sigterm-long");
        using var p = TestSupport.StartCli("train", "--data", "synthetic:mixture,dim=512,n=8200,test=100", "--model", "mlp:2048,2048",
            "--batch", "8000", "--workers", "1", "--updates", "3", "--eval-size", "100", "--out", dir);
        var drain = Task.WhenAll(p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync());
        // Wait for the first checkpoint (written at the start), then signal while the first step runs.
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(dir, CheckpointFile.FileName)) && !p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
            await Task.Delay(20);
        await Task.Delay(500);
        if (p.HasExited) Assert.Fail("the run ended before the signal: " + (await drain)[1]);
        var signalled = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString()])) await kill.WaitForExitAsync();
        bool stopped = p.WaitForExit(TimeSpan.FromSeconds(30));
        var elapsed = signalled.Elapsed;
        var streams = await drain;
        output.WriteLine($"stopped {elapsed.TotalSeconds:F2} s after SIGTERM");
        Assert.True(stopped, "no stop within 30 s of SIGTERM");
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"stopped {elapsed.TotalSeconds:F2} s after SIGTERM: {streams[1]}");
        Assert.Equal(130, p.ExitCode);
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run.json")));
        Assert.Equal("interrupted", record.RootElement.GetProperty("status").GetString());
        var checkpoint = Checkpointer.ReadRun(dir);
        Assert.Equal(record.RootElement.GetProperty("summary").GetProperty("updates").GetInt64(), checkpoint.State.Version);
        Assert.Contains("--resume", streams[1]);
    }
}

/// <summary>Cluster-only refusals come before the data is loaded and leave no run folder.</summary>
public sealed class ClusterRefusalTests
{
    [Theory]
    [InlineData(false, "cannot reach the cluster at 127.0.0.1:")]
    [InlineData(true, "--discipline hogwild is not supported there")]
    public void ClusterRefusalsComeBeforeTheDataAndLeaveNoFolder(bool hogwild, string expected)
    {
        // A port nothing listens on: bound, then released.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        string dir = Path.Combine(TestSupport.TempDir("cluster-refused"), "run");
        string[] args = ["train", "--backend", "cluster", "--cluster", $"127.0.0.1:{port}", "--data", "synthetic:mixture,dim=8,n=500,test=50",
            "--updates", "5", "--out", dir];
        var r = TestSupport.RunCli(hogwild ? [.. args, "--discipline", "hogwild"] : args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.DoesNotContain("data: ", r.Stderr); // refused before the data load
        Assert.False(Directory.Exists(dir), "a run refused at validation leaves no folder");
    }
}
