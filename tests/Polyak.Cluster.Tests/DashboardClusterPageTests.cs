using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace Polyak.Cluster.Tests;

/// <summary>
/// <c>polyak serve --cluster</c> against a real silo process: the <c>/cluster</c> page shows the active silo and, while
/// a cluster job trains, the job with its shards and group leaders (what <c>polyak cluster status</c> prints); the
/// finished run's page shows its shards and leaders from the run record; a gone cluster is shown, not an error.
/// </summary>
public sealed partial class DashboardClusterPageTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "polyak-dash-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly CliProcesses _cli = new();
    private SiloProcess? _silo;

    [GeneratedRegex(@"at (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex Address();

    public void Dispose()
    {
        _cli.Dispose();
        _silo?.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private Process Cli(params string[] args) => _cli.Start(args);

    private bool Log(string line)
    {
        Stage("serve: " + line);
        return true;
    }

    private void Stage(string what) => output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {what}");

    [Fact]
    public async Task TheClusterPageShowsTheSiloTheJobItsShardsAndLeaders()
    {
        Directory.CreateDirectory(_dir);
        _silo = SiloProcess.Start("all", null);
        await _silo.WaitReady(TimeSpan.FromSeconds(90));
        string gateway = $"127.0.0.1:{_silo.GatewayPort}";
        Stage("silo ready");
        var serve = Cli("serve", "--runs", _dir, "--port", "0", "--cluster", gateway);
        string url = "";
        while (await serve.StandardOutput.ReadLineAsync() is { } line)
            if (Log(line) && Address().Match(line) is { Success: true } m) { url = m.Groups[1].Value; break; }
        if (url.Length == 0) Assert.Fail("polyak serve printed no address: " + await serve.StandardError.ReadToEndAsync());
        Stage("serve at " + url);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        Assert.Contains("data-src=\"/fragment/cluster-status\"", await http.GetStringAsync(url + "cluster"));
        string idle = await http.GetStringAsync(url + "fragment/cluster-status");
        Assert.Contains("Silos (1 active)", idle);
        Assert.Contains($"polyak-all-{_silo.SiloPort}", idle);
        Assert.Contains("no jobs", idle);

        Stage("idle page checked");
        var train = Cli("train", "--backend", "cluster", "--cluster", gateway, "--model", "mlp", "--workers", "2", "--time", "10", "--out", Path.Combine(_dir, "job"));
        string busy = "";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !(busy.Contains(": running") && busy.Contains("shards")))
        {
            await Task.Delay(500);
            busy = await http.GetStringAsync(url + "fragment/cluster-status");
        }
        Stage("busy page read");
        output.WriteLine(busy);
        Assert.Contains(": running", busy);
        Assert.Contains("group leaders", busy);
        Assert.Equal(4, Regex.Matches(busy, "<tr><td>[0-3]</td><td>S127").Count); // four shards, each on the silo

        var trainOut = train.StandardOutput.ReadToEndAsync(); // drained, so the run never blocks on a full pipe
        var trainErr = train.StandardError.ReadToEndAsync();
        Assert.True(train.WaitForExit(120_000), "the cluster run did not end");
        if (train.ExitCode != 0) Assert.Fail(await trainErr);
        output.WriteLine((await trainOut).Split('\n').LastOrDefault(l => l.Contains("throughput")));
        Stage("train ended");
        string runPage = await http.GetStringAsync(url + "fragment/cluster?id=job");
        Assert.Contains("id=\"shards\"", runPage);
        Assert.Contains("id=\"leaders\"", runPage);

        _silo.Kill(); // the cluster goes away: the page says so and keeps polling
        Stage("silo killed");
        string gone = await http.GetStringAsync(url + "fragment/cluster-status");
        Assert.Contains("The cluster did not answer", gone);
    }
}
