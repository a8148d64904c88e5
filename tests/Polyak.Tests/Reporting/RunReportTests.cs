using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Polyak.Tests.Reporting;

/// <summary>
/// <c>report.html</c> of a train run (threads and simulator) and <c>polyak report</c>'s comparison page: every figure the
/// page shows exists, the time axis is the simulator's on the simulator, the settings table lists exactly what differs,
/// and a folder Polyak did not write is refused. Pages are rendered in headless Chromium when it is installed.
/// </summary>
public sealed partial class RunReportTests
{
    [GeneratedRegex("(?:src|href)=\"([^\"]+)\"")]
    private static partial Regex Reference();

    private static string Train(string dir, string name, params string[] extra)
    {
        string run = Path.Combine(dir, name);
        var r = TestSupport.RunCli(["train", "--updates", "120", "--out", run, .. extra]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return run;
    }

    /// <summary>Every local file the page references exists next to it.</summary>
    private static List<string> AssertReferencesExist(string page)
    {
        string html = File.ReadAllText(page);
        var refs = Reference().Matches(html).Select(m => m.Groups[1].Value).Where(v => !v.StartsWith("file:", StringComparison.Ordinal)).ToList();
        foreach (string f in refs)
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(page)!, f)), $"{page} references {f}, which does not exist");
        return refs;
    }

    [Fact]
    public void AThreadsRunAndASimulatorRunEachGetAPageWithEveryFigure()
    {
        string dir = TestSupport.TempDir("run-report");
        string threads = Train(dir, "threads");
        string simulated = Train(dir, "sim", "--backend", "simulated", "--workers", "8");
        foreach (string run in new[] { threads, simulated })
        {
            var refs = AssertReferencesExist(Path.Combine(run, "report.html"));
            foreach (string figure in new[] { "loss", "loss-time", "accuracy", "staleness" })
            {
                Assert.Contains($"{figure}.png", refs);
                Assert.Contains($"{figure}.svg", refs);
                Assert.True(new FileInfo(Path.Combine(run, figure + ".png")).Length > 10_000, $"{figure}.png is nearly empty");
            }
        }
        Assert.Contains("simulated time", File.ReadAllText(Path.Combine(simulated, "loss-time.svg")));
        Assert.DoesNotContain("simulated time", File.ReadAllText(Path.Combine(threads, "loss-time.svg")));
        // the staleness figure states the measured mean the record holds
        double mean = JsonDocument.Parse(File.ReadAllText(Path.Combine(simulated, "run.json"))).RootElement
            .GetProperty("summary").GetProperty("staleness").GetProperty("mean").GetDouble();
        Assert.Contains($"mean {mean:F2}", File.ReadAllText(Path.Combine(simulated, "staleness.svg")));
        RenderInChromium(Path.Combine(threads, "report.html"));
        RenderInChromium(Path.Combine(simulated, "report.html"));
    }

    [Fact]
    public void AComparisonListsExactlyTheSettingsThatDifferAndOverlaysTheCurves()
    {
        string dir = TestSupport.TempDir("compare");
        string a = Train(dir, "mu0", "--backend", "simulated", "--workers", "4");
        string b = Train(dir, "mu5", "--backend", "simulated", "--workers", "4", "--momentum", "0.5");
        string outDir = Path.Combine(dir, "cmp");
        var r = TestSupport.RunCli("report", a, b, "--out", outDir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        string page = Path.Combine(outDir, "index.html");
        AssertReferencesExist(page);
        var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "comparison.json"))).RootElement;
        Assert.Equal(["momentum"], marker.GetProperty("differing").EnumerateArray().Select(e => e.GetString()!).ToArray());
        string legend = File.ReadAllText(Path.Combine(outDir, "loss.svg"));
        Assert.Contains("mu0", legend);
        Assert.Contains("mu5", legend);
        // rewriting its own comparison is allowed; a folder of someone else's is not touched
        Assert.Equal(0, TestSupport.RunCli("report", a, b, "--out", outDir).ExitCode);
        string foreign = Path.Combine(dir, "mine");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "index.html"), "mine");
        r = TestSupport.RunCli("report", a, b, "--out", foreign);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("holds files Polyak did not write", r.Stderr);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(foreign, "index.html")));
        r = TestSupport.RunCli("report", a, Path.Combine(dir, "absent"), "--out", Path.Combine(dir, "cmp2"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("does not exist", r.Stderr);
        RenderInChromium(page);
    }

    [Fact]
    public void ReportRewritesOneRunsPage()
    {
        string dir = TestSupport.TempDir("report-one");
        string run = Train(dir, "one");
        File.Delete(Path.Combine(run, "report.html"));
        File.Delete(Path.Combine(run, "loss.png"));
        var r = TestSupport.RunCli("report", run);
        Assert.True(r.ExitCode == 0, r.Stderr);
        AssertReferencesExist(Path.Combine(run, "report.html"));
    }

    /// <summary>Renders the page with scripts/screenshot-report.sh (fails on a console error or a missing resource); skipped without Chromium.</summary>
    private static void RenderInChromium(string page)
    {
        if (!File.Exists("/usr/bin/chromium")) return; // CI installs it; a developer machine may not have it
        string script = Path.Combine(RepoRoot(), "scripts", "screenshot-report.sh");
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(page);
        psi.ArgumentList.Add(Path.ChangeExtension(page, ".png"));
        psi.ArgumentList.Add("1200x2400");
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit(60_000);
        Assert.True(p.ExitCode == 0, $"chromium rendering of {page} failed: {err}");
        Assert.True(new FileInfo(Path.ChangeExtension(page, ".png")).Length > 50_000, "the screenshot is nearly empty");
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Polyak.slnx"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
