using System.Diagnostics;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Polyak.Cluster.Tests;

/// <summary>
/// <c>polyak cluster stop JOB</c> against a real silo process: the running job checkpoints and stops, its client ends
/// cleanly, and <c>cluster status</c> still lists the job with its outcome after the client released it.
/// </summary>
public sealed class ClusterStopCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "polyak-stop-" + Guid.NewGuid().ToString("N"));
    private readonly CliProcesses _cli = new();
    private SiloProcess? _silo;

    public void Dispose()
    {
        _cli.Dispose();
        _silo?.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private Process Cli(params string[] args) => _cli.Start(args);

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var p = Cli(args);
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return (p.ExitCode, await o, await e);
    }

    [Fact]
    public async Task StopCheckpointsTheJobAndStatusKeepsItWithItsOutcome()
    {
        Directory.CreateDirectory(_dir);
        _silo = SiloProcess.Start("all", null);
        await _silo.WaitReady(TimeSpan.FromSeconds(90));
        string gateway = $"127.0.0.1:{_silo.GatewayPort}";
        string runDir = Path.Combine(_dir, "run");
        var train = Cli("train", "--backend", "cluster", "--cluster", gateway, "--model", "softmax", "--data", "synthetic:mixture,n=3000,test=300",
            "--workers", "2", "--time", "120", "--eval-every", "100", "--checkpoint-every", "500", "--out", runDir);
        var trainOut = train.StandardOutput.ReadToEndAsync();
        var trainErr = train.StandardError.ReadToEndAsync();

        string job = "";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (job.Length == 0 && DateTime.UtcNow < deadline && !train.HasExited)
        {
            await Task.Delay(500);
            var (code, stdout, _) = await Run("cluster", "status", "--cluster", gateway, "--json");
            if (code != 0) continue;
            using var doc = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
            foreach (var j in doc.RootElement.GetProperty("jobs").EnumerateArray())
                if (j.GetProperty("state").GetString() == "running" && j.GetProperty("updates").GetInt64() > 200) job = j.GetProperty("job_id").GetString()!;
        }
        Assert.True(job.Length > 0, "no running job appeared: " + (train.HasExited ? await trainErr : ""));

        var stop = await Run("cluster", "stop", "--cluster", gateway, job);
        output.WriteLine(stop.Out + stop.Err);
        Assert.Equal(0, stop.Code);
        Assert.Contains($"job {job}: stopped, checkpoint at update", stop.Out);
        await train.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        // The client's run is interrupted (exit 130, as a Ctrl-C), with the cluster's reason, and resumable.
        string err = await trainErr;
        Assert.True(train.ExitCode == 130, $"exit {train.ExitCode}: {err}");
        Assert.Contains($"continue with: ./polyak train --resume {runDir}", err);
        using (var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "run.json"))))
        {
            Assert.Equal("interrupted", record.RootElement.GetProperty("status").GetString());
            Assert.Contains("stopped by 'polyak cluster stop'", record.RootElement.GetProperty("stop_reason").GetString());
        }
        output.WriteLine((await trainOut).Split('\n').LastOrDefault(l => l.Contains("status", StringComparison.Ordinal)));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(runDir, "checkpoints"), "ckpt-*.bin"));

        var after = await Run("cluster", "status", "--cluster", gateway);
        output.WriteLine(after.Out);
        Assert.Contains($"job {job}: finished (stopped by 'polyak cluster stop' at a checkpoint in {Path.Combine(runDir, "checkpoints")})", after.Out);
        var unknown = await Run("cluster", "stop", "--cluster", gateway, "job-nope");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("no job 'job-nope'", unknown.Err);
    }
}
