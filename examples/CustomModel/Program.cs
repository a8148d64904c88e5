using System.Globalization;
using Polyak.Data;
using Polyak.Execution;
using Polyak.Optimization;
using Polyak.Training;

namespace Polyak.Examples;

/// <summary>
/// Trains a model of our own (<see cref="HuberRegression"/>) on data held in memory, with two asynchronous workers and
/// closed-loop momentum (the library's <c>--momentum auto</c>: a short synchronous tune finds the target total momentum,
/// then the controller steers the explicit momentum toward it while the workers run). Writes no files.
/// Run: <c>dotnet run --project examples/CustomModel</c>.
/// </summary>
public static class Program
{
    public static async Task<int> Main()
    {
        var c = CultureInfo.InvariantCulture;

        // 1. Data in memory: y = x . w* + 0.5 + noise, with 5 % gross outliers (what the Huber loss is for).
        var (train, test) = MakeData(features: 20, trainRows: 8000, testRows: 1000, seed: 42);
        var data = DataSplit.From(train, test, evalSize: 1000, seed: 42);

        // 2. Typed settings: backend, schedule and discipline are objects, not strings.
        var setup = new TrainingSetup
        {
            Backend = new ThreadsBackend(),
            Workers = 2,                                        // two asynchronous workers (one group each)
            Batch = 32,
            Schedule = LearningRateSchedule.Constant(0.05),
            AutoMomentum = new AutoMomentumOptions(),           // no target: found by a short synchronous tune
            Discipline = UpdateDiscipline.Atomic,
            Epochs = 8,
            Seed = 7,
        };

        // 3. Train asynchronously, with progress and cancellation (Ctrl-C stops at the next update).
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        var trainer = new Trainer
        {
            Log = message => Console.WriteLine($"  {message}"),
            // Called on the worker thread that evaluated (every ~40 updates here): keep it short.
            Progress = new ProgressCallback(p =>
            {
                if (p.IsEvaluation && p.Update % 400 == 0)
                    Console.WriteLine(string.Create(c, $"  update {p.Update,5}/{p.UpdateLimit}  eval loss {p.EvalLoss:G4}  explicit momentum {p.Momentum:F3}"));
            }),
        };
        var result = await trainer.TrainAsync(new HuberRegression(20), data, setup, cancel.Token);

        // 4. The result: the record run.json would hold, and the trained parameters.
        var s = result.Record.Summary;
        var auto = result.Record.AutoMomentum!;
        Console.WriteLine(string.Create(c, $"status {result.Record.Status}: {s.Updates} updates, eval loss {s.InitialLoss:G4} -> {s.FinalLoss:G4}, test loss {s.TestLoss:G4}"));
        Console.WriteLine(string.Create(c, $"staleness mean {s.Staleness.Mean:F2}; momentum: target total {auto.Target:G3} ({auto.TargetSource}), explicit {auto.Start:G3} -> {auto.FinalExplicit:G3}"));
        Console.WriteLine(string.Create(c, $"bias {result.Parameters[^1]:F3} (true 0.5), w[0] {result.Parameters[0]:F3} (true {TrueWeight(0):F3})"));
        return result.Status is RunStatus.Completed or RunStatus.ReachedTarget ? 0 : 1;
    }

    /// <summary>An <see cref="IProgress{T}"/> that calls back at once, on the reporting thread (unlike <see cref="Progress{T}"/>, which posts).</summary>
    private sealed class ProgressCallback(Action<ProgressReport> report) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => report(value);
    }

    private static float TrueWeight(int i) => (float)Math.Sin(i + 1);

    private static (Dataset Train, Dataset Test) MakeData(int features, int trainRows, int testRows, int seed)
    {
        var random = new Random(seed);
        Dataset Make(string name, int rows)
        {
            var x = new float[rows * features];
            var y = new float[rows];
            for (int r = 0; r < rows; r++)
            {
                double target = 0.5;
                for (int i = 0; i < features; i++)
                {
                    float v = (float)(random.NextDouble() * 2 - 1);
                    x[r * features + i] = v;
                    target += TrueWeight(i) * v;
                }
                bool outlier = random.NextDouble() < 0.05;
                y[r] = (float)(target + 0.1 * (random.NextDouble() - 0.5) + (outlier ? 20 * (random.NextDouble() - 0.5) : 0));
            }
            return Dataset.ForRegression(name, x, features, y);
        }
        return (Make("huber-demo/train", trainRows), Make("huber-demo/test", testRows));
    }
}
