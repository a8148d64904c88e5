using System.Diagnostics;
using Polyak.Execution;
using Xunit;
using Polyak.Training;

namespace Polyak.Tests.Data;

/// <summary>Loaded data through the trainer and the <c>polyak</c> process: bad data files exit with code 2 and one clear message.</summary>
public sealed class DataCliTests
{
    private static (int Code, string Stdout, string Stderr) Polyak(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Polyak.Cli.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["POLYAK_CACHE_DIR"] = "off";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "polyak did not exit");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void BadLibSvmFileExitsWithCode2AndNamesFileAndLine()
    {
        using var t = new TempFolder();
        string p = t.WriteText("bad.svm", "+1 1:0.5\n-1 2:x\n");
        var (code, _, err) = Polyak("train", "--data", p, "--updates", "5", "--out", t.File("run"));
        Assert.Equal(2, code);
        Assert.Contains($"error: {p}: line 2, column 6: expected a number after '2:', found 'x'", err);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void CorruptIdxFolderExitsWithCode2()
    {
        using var t = new TempFolder();
        DataFixtures.WriteIdxFolder(t, 10, 4, gzip: false);
        File.WriteAllBytes(t.File("t10k-labels-idx1-ubyte"), DataFixtures.IdxLabels(3, 10));
        var (code, _, err) = Polyak("train", "--data", t.Path, "--updates", "5", "--out", t.File("run"));
        Assert.Equal(2, code);
        Assert.Contains("t10k-labels-idx1-ubyte: at byte 4: has 3 labels but t10k-images-idx3-ubyte has 4 images", err);
    }

    [Fact]
    public void TrainerRunsOnAHeldOutLibSvmSplitAndRecordsTheClassMapping()
    {
        using var t = new TempFolder();
        string p = t.WriteText("a.svm", DataFixtures.LibSvm(200, 5, 1));
        var options = new TrainingOptions { Data = p, Updates = 30, Batch = 8, Workers = 1, Seed = 3, TestFraction = 0.25, OutDir = t.File("run") };
        var result = new Trainer().Run(options);
        Assert.Equal(150, result.Record.Data.TrainRows);
        Assert.Equal(50, result.Record.Data.TestRows);
        Assert.Contains("-1->0, 1->1", result.Record.Data.Description);
        Assert.NotNull(result.Record.Summary.FinalAccuracy);
    }
}
