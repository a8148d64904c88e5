using System.Diagnostics;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Polyak.Cluster.Tests;

/// <summary>
/// <c>train --detach</c> and <c>train --resume DIR --attach</c> against a real silo process: a detached run ends at
/// once as <c>detached</c> while its job goes on; a new run into the same folder and a plain resume are refused (exit 2,
/// naming the job and <c>--attach</c>) without touching the folder's record; attaching follows the same job to its end
/// and writes the completed record (<c>polyak cluster attach JOB</c>, which finds the job's run folder); attaching to an
/// ended job is refused.
/// </summary>
public sealed class ClusterDetachAttachTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "polyak-detach-" + Guid.NewGuid().ToString("N"));
    private readonly CliProcesses _cli = new();
    private SiloProcess? _silo;

    public void Dispose()
    {
        _cli.Dispose();
        _silo?.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var p = _cli.Start(args);
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(240));
        var r = (p.ExitCode, await o, await e);
        output.WriteLine($"$ polyak {string.Join(' ', args)}\n  exit {r.ExitCode}; {r.Item3.Trim()}");
        return r;
    }

    private JsonElement Record(string runDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "run.json")));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task ADetachedJobGoesOnAndAnAttachedClientFollowsItToItsEnd()
    {
        Directory.CreateDirectory(_dir);
        _silo = SiloProcess.Start("all", null);
        await _silo.WaitReady(TimeSpan.FromSeconds(90));
        string gateway = $"127.0.0.1:{_silo.GatewayPort}";
        string runDir = Path.Combine(_dir, "run");
        string[] job = ["--backend", "cluster", "--cluster", gateway, "--model", "mlp", "--data", "synthetic:mixture,n=4000,test=400", "--workers", "2", "--eval-every", "500"];

        var noLimit = await Run(["train", .. job, "--time", "30", "--detach", "--out", Path.Combine(_dir, "nolimit")]);
        Assert.Equal(2, noLimit.Code);
        Assert.Contains("--detach: the job must end by itself", noLimit.Err);

        var detached = await Run(["train", .. job, "--updates", "40000", "--detach", "--out", runDir]);
        Assert.Equal(0, detached.Code);
        var record = Record(runDir);
        Assert.Equal("detached", record.GetProperty("status").GetString());
        string jobId = record.GetProperty("backend").GetProperty("job_id").GetString()!;
        long leftAt = record.GetProperty("summary").GetProperty("updates").GetInt64();
        Assert.InRange(leftAt, 1, 39_999);
        Assert.Contains($"--resume {runDir} --attach", record.GetProperty("stop_reason").GetString());

        var again = await Run(["train", .. job, "--updates", "40000", "--out", runDir]);
        Assert.Equal(2, again.Code);
        Assert.Contains("--attach", again.Err);
        var resume = await Run("train", "--resume", runDir);
        Assert.Equal(2, resume.Code);
        Assert.Contains($"still runs on the cluster (job {jobId})", resume.Err);
        Assert.Equal("detached", Record(runDir).GetProperty("status").GetString()); // the refusals wrote nothing

        var unknown = await Run("cluster", "attach", "job-nope", "--cluster", gateway);
        Assert.Equal(2, unknown.Code);
        Assert.Contains(jobId, unknown.Err); // the known jobs are listed
        var attached = await Run("cluster", "attach", jobId, "--cluster", gateway); // = train --resume DIR --attach
        Assert.Equal(0, attached.Code);
        Assert.Contains($"attached to job {jobId} at update", attached.Out);
        record = Record(runDir);
        Assert.Equal("completed", record.GetProperty("status").GetString());
        Assert.Equal(40_000, record.GetProperty("summary").GetProperty("updates").GetInt64());
        Assert.Equal(jobId, record.GetProperty("backend").GetProperty("job_id").GetString());

        var attachEnded = await Run("train", "--resume", runDir, "--attach");
        Assert.Equal(2, attachEnded.Code);
        Assert.Contains("no job is running for", attachEnded.Err);
    }
}
