using System.Diagnostics;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Examples;
using Polyak.Optimization;
using Polyak.Training;

namespace Polyak.Tests.Library;

/// <summary>The library API: a user's own model on in-memory data with typed settings, and the compiled example program.</summary>
public class LibraryApiTests
{
    private static DataSplit RegressionData(int rows, int seed)
    {
        var random = new Random(seed);
        Dataset Make(string name, int n)
        {
            var x = new float[n * 4];
            var y = new float[n];
            for (int r = 0; r < n; r++)
            {
                for (int i = 0; i < 4; i++) x[r * 4 + i] = (float)(random.NextDouble() * 2 - 1);
                y[r] = 1 + 2 * x[r * 4] - x[r * 4 + 3];
            }
            return Dataset.ForRegression(name, x, 4, y);
        }
        return DataSplit.From(Make("lib/train", rows), Make("lib/test", 200), evalSize: 300, seed: 1);
    }

    [Fact]
    public void AUsersOwnModelTrainsOnInMemoryDataWithoutWritingFiles()
    {
        string cwd = Directory.GetCurrentDirectory();
        var before = Directory.GetFileSystemEntries(cwd).Length;
        var result = new Trainer().Train(new HuberRegression(4), RegressionData(3000, 1), new TrainingSetup
        {
            Backend = new SimulatedBackend(),
            Workers = 4,
            Batch = 16,
            Schedule = LearningRateSchedule.Constant(0.1),
            Momentum = 0.3,
            Updates = 600,
            Seed = 3,
        });
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Null(result.RunDir);
        Assert.Equal(before, Directory.GetFileSystemEntries(cwd).Length);
        Assert.Equal("huber", result.Record.Model.Name);
        Assert.Equal("simulated", result.Record.Config.Backend);
        Assert.StartsWith("in-memory:", result.Record.Config.Data);
        Assert.True(result.Record.Summary.FinalLoss < 0.05 * result.Record.Summary.InitialLoss, $"{result.Record.Summary.InitialLoss} -> {result.Record.Summary.FinalLoss}");
        Assert.Equal(1f, result.Parameters[^1], 1); // the bias
        Assert.True(result.Record.Summary.Staleness.Mean > 1, "4 asynchronous groups on the simulator have staleness about 3");
        // The simulator is deterministic: the same setup trains the same parameters.
        var again = new Trainer().Train(new HuberRegression(4), RegressionData(3000, 1), new TrainingSetup
        {
            Backend = new SimulatedBackend(), Workers = 4, Batch = 16, Schedule = LearningRateSchedule.Constant(0.1), Momentum = 0.3, Updates = 600, Seed = 3,
        });
        Assert.Equal(result.Parameters, again.Parameters);
    }

    [Fact]
    public async Task TrainAsyncReportsProgressStopsOnCancellationAndWritesAFolderOnlyWhenAsked()
    {
        string dir = TestSupport.TempDir("library");
        using var cancel = new CancellationTokenSource();
        var reports = new List<ProgressReport>();
        var trainer = new Trainer
        {
            Progress = new Callback(r =>
            {
                lock (reports) reports.Add(r);
                if (r.IsEvaluation && r.Update >= 200) cancel.Cancel();
            }),
        };
        var result = await trainer.TrainAsync(new HuberRegression(4), RegressionData(3000, 2), new TrainingSetup
        {
            Workers = 2,
            Groups = 1,
            Batch = 16,
            Schedule = LearningRateSchedule.Cosine(0.1, 100_000),
            Updates = 100_000,
            EvalEvery = 50,
            OutputDirectory = dir,
        }, cancel.Token);
        Assert.Equal(RunStatus.Interrupted, result.Status);
        Assert.InRange(result.Record.Summary.Updates, 200, 100_000 - 1);
        Assert.Contains(reports, r => r.IsEvaluation && r.Update == 50);
        Assert.Equal(dir, result.RunDir);
        foreach (var f in new[] { "run.json", "curve.csv", "staleness.csv", "checkpoint.bin" }) Assert.True(File.Exists(Path.Combine(dir, f)), f);
        Assert.Equal("cosine:100000", result.Record.Config.Schedule);
    }

    [Fact]
    public void ALibraryRunResumesFromItsFolderWithTheCallersModelAndData()
    {
        string dir = TestSupport.TempDir("library-resume");
        TrainingSetup Setup(long updates, string? outDir) => new()
        {
            Backend = new SimulatedBackend { Simulation = new SimulationOptions { Distribution = "lognormal:0.5" } },
            Workers = 4,
            Batch = 16,
            Schedule = LearningRateSchedule.Constant(0.1),
            Momentum = 0.2,
            Updates = updates,
            Seed = 5,
            EvalEvery = 50,
            OutputDirectory = outDir,
        };
        var whole = new Trainer().Train(new HuberRegression(4), RegressionData(2000, 4), Setup(400, null));
        var first = new Trainer().Train(new HuberRegression(4), RegressionData(2000, 4), Setup(170, dir));
        Assert.Equal(170, first.Record.Summary.Updates);
        Assert.Equal("lognormal:0.5", first.Record.Config.Simulation.Distribution);
        // Its configuration names data held in memory: a plain resume says what to do.
        Assert.Contains("Trainer.Resume(runDir, model, data)", Assert.Throws<ArgumentException>(() => new Trainer().Resume(dir)).Message);
        var resumed = new Trainer().Resume(dir, new HuberRegression(4), RegressionData(2000, 4), o => o with { Updates = 400 });
        Assert.Equal(400, resumed.Record.Summary.Updates);
        Assert.Equal(whole.Parameters, resumed.Parameters);
        Assert.Equal(whole.Record.Summary.Staleness.Histogram, resumed.Record.Summary.Staleness.Histogram);
    }

    [Fact]
    public void UnsetBatchAndScheduleTakeTheModelsDefaultsAsOnTheCommandLine()
    {
        var data = RunPlanner.LoadData(new TrainingOptions { Data = "synthetic:mixture,dim=8,n=500,test=100" });
        var model = Polyak.Models.ModelCatalog.Create("softmax", data.Train);
        var r = new Trainer().Train(model, data, new TrainingSetup { Updates = 5 });
        Assert.Equal(64, r.Record.Config.Batch);
        Assert.Equal(Polyak.Models.ModelDefaults.LearningRate(model), r.Record.Config.LearningRate);
        Assert.Equal("constant", r.Record.Config.Schedule);
    }

    [Fact]
    public void BadTypedSettingsAreRefusedBeforeTraining()
    {
        var data = RegressionData(500, 3);
        var trainer = new Trainer();
        Assert.Contains("--groups 3 does not divide --workers 4", Assert.Throws<ArgumentException>(() =>
            trainer.Train(new HuberRegression(4), data, new TrainingSetup { Workers = 4, Groups = 3 })).Message);
        Assert.Contains("must be in (-1, 1)", Assert.Throws<ArgumentException>(() =>
            trainer.Train(new HuberRegression(4), data, new TrainingSetup { Momentum = 1.5 })).Message);
        Assert.Contains("auto momentum: bounds", Assert.Throws<ArgumentException>(() =>
            trainer.Train(new HuberRegression(4), data, new TrainingSetup { AutoMomentum = new AutoMomentumOptions { Target = 0.5, Min = 0.6, Max = 0.4 } })).Message);
    }

    [Fact]
    public async Task TheExampleProgramTrainsACustomModelWithTwoAsyncWorkersAndAutoMomentum()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CustomModel.dll"));
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        string output = await stdout;
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}\n{output}\n{await stderr}");
        Assert.Contains("backend threads: 2 workers in 2 group(s) of 1", output);
        Assert.Contains("from a synchronous tune", output);
        Assert.Contains("status completed: 2000 updates", output);
        Assert.Contains("(synchronous tune), explicit", output);
    }

    private sealed class Callback(Action<ProgressReport> report) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => report(value);
    }
}
