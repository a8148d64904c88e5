using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Polyak.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium driven by Playwright): <c>polyak serve</c> on a free port, a
/// <c>train</c> run started next to it; the run is listed, its loss curve gains points while it trains, its page ends
/// showing it completed, the comparison page overlays two runs, and no page logs a console error or a failed request.
/// With <c>POLYAK_SCREENSHOTS=DIR</c> the pages are saved there (scripts/screenshots.sh writes docs/images).
/// </summary>
public sealed partial class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    [GeneratedRegex(@"at (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex Address();

    [SkippableChromiumFact]
    public async Task ARunIsListedItsCurveGrowsWhileItTrainsAndNothingLogsAnError()
    {
        string dir = TestSupport.TempDir("dashboard");
        // a finished run to compare with
        Assert.Equal(0, TestSupport.RunCli("train", "--model", "mlp", "--updates", "300", "--momentum", "0.5", "--out", Path.Combine(dir, "finished")).ExitCode);

        using var serve = TestSupport.StartCli("serve", "--runs", dir, "--port", "0");
        string url = await ReadAddress(serve);
        using var train = TestSupport.StartCli("train", "--model", "mlp", "--time", "20", "--eval-every", "20", "--out", Path.Combine(dir, "live"));
        var trainOut = train.StandardOutput.ReadToEndAsync();
        var trainErr = train.StandardError.ReadToEndAsync();
        var errors = new List<string>();
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
            page.Console += (_, m) => { if (m.Type == "error") errors.Add($"console: {m.Text}"); };
            page.PageError += (_, e) => errors.Add($"page error: {e}");
            page.RequestFailed += (_, r) => errors.Add($"request failed: {r.Url} {r.Failure}");
            page.Response += (_, r) => { if (r.Status >= 400) errors.Add($"HTTP {r.Status}: {r.Url}"); };

            await page.GotoAsync(url);
            await page.WaitForSelectorAsync("tr[data-id='live']", new() { Timeout = 30_000 }); // listed (the list refreshes every 2 s)
            Assert.NotNull(await page.QuerySelectorAsync("tr[data-id='finished'][data-status='completed']"));
            await Screenshot(page, "dashboard-runs.png");

            await page.GotoAsync(url + "run?id=live");
            const string loss = "#chart-loss polyline[data-series]";
            await page.WaitForFunctionAsync($"() => {{ const p = document.querySelector(\"{loss}\"); return p && +p.dataset.points >= 2; }}", null, new() { Timeout = 30_000 });
            int first = int.Parse((await page.GetAttributeAsync(loss, "data-points"))!);
            await page.WaitForFunctionAsync($"() => +document.querySelector(\"{loss}\").dataset.points > {first}", null, new() { Timeout = 30_000 });
            int later = int.Parse((await page.GetAttributeAsync(loss, "data-points"))!);
            string? status = await page.TextContentAsync("#summary .badge");
            output.WriteLine($"live run: {first} points, then {later} while the run was '{status}'");
            Assert.Equal("running", status);
            Assert.NotNull(await page.QuerySelectorAsync("#chart-staleness svg"));
            Assert.NotNull(await page.QuerySelectorAsync("#chart-momentum svg"));
            await Screenshot(page, "dashboard-run.png");

            Assert.True(train.WaitForExit(90_000), "the train run did not end");
            Assert.True(train.ExitCode == 0, await trainErr);
            await page.WaitForSelectorAsync("#summary .badge.completed", new() { Timeout = 15_000 });
            int inFile = File.ReadAllLines(Path.Combine(dir, "live", "curve.csv")).Length - 1;
            // The summary and the chart refresh on their own polls: the badge can say completed one poll before the
            // chart has the last points. The chart must reach exactly the file's curve (and never pass it).
            try
            {
                await page.WaitForFunctionAsync($"() => +document.querySelector(\"{loss}\").dataset.points >= {inFile}", null, new() { Timeout = 15_000 });
            }
            catch (TimeoutException) { } // the assertion below reports the counts
            int final = int.Parse((await page.GetAttributeAsync(loss, "data-points"))!);
            Assert.Equal(inFile, final);

            await page.GotoAsync(url + "compare?id=live&id=finished");
            await page.WaitForSelectorAsync("#chart-loss svg");
            var lines = await page.QuerySelectorAllAsync("#chart-loss polyline[data-series]");
            Assert.Equal(2, lines.Count);
            Assert.Contains("momentum", await page.TextContentAsync("#differences") ?? "");
            await Screenshot(page, "dashboard-compare.png");

            await page.GotoAsync(url + "files/finished/report.html"); // the run's own report, served with its figures
            await page.WaitForSelectorAsync("img[src='loss.png']");
            bool imagesLoaded = await page.EvaluateAsync<bool>("() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)");
            Assert.True(imagesLoaded, "a figure of report.html did not load");
            await browser.CloseAsync();
        }
        finally
        {
            if (!train.HasExited) train.Kill(entireProcessTree: true);
            Terminate(serve);
        }
        Assert.True(serve.WaitForExit(15_000), "polyak serve did not stop on SIGTERM");
        Assert.Equal(0, serve.ExitCode);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        _ = await trainOut;
    }

    [SkippableChromiumFact]
    public async Task AnUnknownRunIsA404PageAndFilesOutsideTheFolderAreNotServed()
    {
        string dir = TestSupport.TempDir("dashboard-404");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(dir)!, "secret.json"), "{}");
        using var serve = TestSupport.StartCli("serve", "--runs", dir, "--port", "0");
        string url = await ReadAddress(serve);
        try
        {
            using var http = new HttpClient();
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(url + "run?id=nothing")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(url + "run?id=..")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(url + "files/%2e%2e/secret.json")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(url + "chart?name=loss&id=../")).StatusCode);
            string index = await http.GetStringAsync(url);
            Assert.Contains("No runs yet", index);
        }
        finally { Terminate(serve); }
        Assert.True(serve.WaitForExit(15_000));
    }

    [Fact]
    public void ServeRefusesABadHostOrPortWithExitCode2()
    {
        var r = TestSupport.RunCli("serve", "--host", "not-an-address", "--port", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--host", r.Stderr);
        r = TestSupport.RunCli("serve", "--port", "70000");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--port", r.Stderr);
    }

    private static async Task<string> ReadAddress(Process serve)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            string? line = await serve.StandardOutput.ReadLineAsync();
            if (line is null) throw new InvalidOperationException($"polyak serve exited: {await serve.StandardError.ReadToEndAsync()}");
            if (Address().Match(line) is { Success: true } m) return m.Groups[1].Value;
        }
        throw new TimeoutException("polyak serve printed no address");
    }

    private static void Terminate(Process p)
    {
        if (p.HasExited) return;
        using var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static async Task Screenshot(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("POLYAK_SCREENSHOTS") is not { Length: > 0 } dir) return;
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, name), FullPage = true });
    }

    private sealed class SkippableChromiumFactAttribute : FactAttribute
    {
        public SkippableChromiumFactAttribute()
        {
            if (!File.Exists(Chromium)) Skip = $"Chromium is not installed at {Chromium}: run `apt-get install chromium` (CI's .ci/run does)";
        }
    }
}
