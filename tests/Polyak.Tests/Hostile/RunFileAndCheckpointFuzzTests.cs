using System.CommandLine;
using System.Text;
using Polyak.Cli;
using Polyak.Execution;
using Polyak.Tests.Data;
using Polyak.Training;

namespace Polyak.Tests.Hostile;

/// <summary>
/// Fuzz-style hostile-input tests (fixed seeds) for checkpoints, run files and command-line arguments: every case
/// ends with a clean result or one clear error naming the file or option, never another exception, a hang, or an
/// unbounded allocation.
/// </summary>
public class RunFileAndCheckpointFuzzTests
{
    private static readonly Lazy<(string Dir, byte[] Checkpoint, byte[] RunJson)> Sample = new(() =>
    {
        string dir = TestSupport.TempDir("fuzz-sample");
        new Trainer().Run(new TrainingOptions
        {
            Data = "synthetic:mixture,dim=8,n=300,test=50", Model = "softmax", Batch = 8, Workers = 2, Groups = 1,
            Updates = 30, EvalEvery = 10, EvalSize = 50, OutDir = dir, Seed = 5,
        });
        return (dir, File.ReadAllBytes(Path.Combine(dir, CheckpointFile.FileName)), File.ReadAllBytes(Path.Combine(dir, "run.json")));
    });

    [Fact]
    public void MutatedCheckpointsFailCleanly()
    {
        var (dir, good, _) = Sample.Value;
        var rng = new Random(20261123);
        int loaded = 0, refused = 0;
        string path = Path.Combine(dir, "fuzz-checkpoint.bin");
        HostileInput.WithinSeconds(60, () =>
        {
            for (int i = 0; i < 400; i++)
            {
                var m = Mutation.Draw(rng);
                File.WriteAllBytes(path, m.Apply(good));
                if (HostileInput.Check(() => CheckpointFile.Read(path), path, $"checkpoint case {i} ({m})")) loaded++;
                else refused++;
            }
        });
        Assert.Equal(400, loaded + refused);
        Assert.True(refused > 350, $"only {refused} of 400 damaged checkpoints were refused"); // the checksum catches nearly all
    }

    [Fact]
    public void MutatedRunFilesFailCleanly()
    {
        var (dir, _, runJson) = Sample.Value;
        var rng = new Random(777);
        string path = Path.Combine(dir, "fuzz-run.json");
        int loaded = 0, refused = 0;
        HostileInput.WithinSeconds(60, () =>
        {
            for (int i = 0; i < 400; i++)
            {
                var m = Mutation.Draw(rng);
                File.WriteAllBytes(path, m.Apply(runJson));
                bool ok = HostileInput.Check(() =>
                {
                    var o = TrainingOptionSet.LoadRunFile(path);
                    try { ResolvedOptions.ValidateGeneric(o); }
                    catch (ArgumentException ex) { throw new ArgumentException($"{path}: {ex.Message}"); }
                }, path, $"run-file case {i} ({m})");
                if (ok) loaded++; else refused++;
            }
        });
        Assert.Equal(400, loaded + refused);
        Assert.True(refused > 0 && loaded > 0, $"loaded {loaded}, refused {refused}");
    }

    [Fact]
    public void HostileValuesInRunFilesAreRefused()
    {
        var (dir, _, _) = Sample.Value;
        string path = Path.Combine(dir, "hostile-run.json");
        string[] bodies =
        [
            "{\"workers\": -3}", "{\"workers\": 1e12}", "{\"batch\": 0}", "{\"momentum\": 1.0}", "{\"momentum\": \"NaN\"}",
            "{\"learning_rate\": -1}", "{\"groups\": 3, \"workers\": 4}", "{\"updates\": 0}", "{\"epochs\": \"Infinity\"}",
            "{\"discipline\": \"optimistic\"}", "[1, 2]", "", "{", "null", "{\"eval_size\": -1}", "{\"schedule\": \"step:-1:2\"}",
        ];
        foreach (string body in bodies)
        {
            File.WriteAllText(path, body);
            bool ok = HostileInput.Check(() =>
            {
                var o = TrainingOptionSet.LoadRunFile(path);
                try { ResolvedOptions.ValidateGeneric(o); }
                catch (ArgumentException ex) { throw new ArgumentException($"{path}: {ex.Message}"); }
            }, path, $"run file '{body}'");
            Assert.False(ok, $"run file '{body}' was accepted");
        }
    }

    [Fact]
    public void RandomCommandLinesParseOrFailWithAClearError()
    {
        string[] names = ["--model", "--data", "--workers", "--groups", "--batch", "--lr", "--momentum", "--weight-decay", "--schedule",
            "--discipline", "--updates", "--epochs", "--time", "--target-loss", "--seed", "--eval-every", "--eval-size", "--backend",
            "--distribution", "--checkpoint-every", "--bogus", "-x", "--"];
        string[] values = ["0", "-1", "1", "2", "3", "16", "1e308", "-1e308", "NaN", "Infinity", "-0", "0.5", "abc", "", " ", "auto", "auto:2",
            "auto:0.5", "hogwild", "atomic", "step:10:0.5", "inverse:0", "cosine:-3", "synthetic:regression,cond=0", "synthetic:nope",
            "softmax", "linear", "simulated", "threads", "exponential", "lognormal:-1", "18446744073709551616", "9223372036854775807", "\u0000"];
        var rng = new Random(4242);
        int parsedOk = 0, usageErrors = 0, refused = 0;
        for (int i = 0; i < 2000; i++)
        {
            int count = rng.Next(0, 7);
            var args = new List<string>();
            for (int k = 0; k < count; k++)
            {
                args.Add(names[rng.Next(names.Length)]);
                if (rng.Next(5) > 0) args.Add(values[rng.Next(values.Length)]);
            }
            var set = new TrainingOptionSet();
            var command = new RootCommand();
            set.AddTo(command);
            var parse = command.Parse(args.ToArray());
            if (parse.Errors.Count > 0)
            {
                usageErrors++;
                Assert.All(parse.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
                continue;
            }
            try
            {
                set.Build(parse);
                parsedOk++;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                Assert.Contains("-", ex.Message); // names the option (--x) or the offending spec
                refused++;
            }
        }
        Assert.Equal(2000, parsedOk + usageErrors + refused);
        Assert.True(parsedOk > 0 && usageErrors > 0 && refused > 0, $"ok {parsedOk}, usage {usageErrors}, refused {refused}");
    }

    [Fact]
    public void RandomCommandLinesThroughTheRealProcessExitWith0Or2()
    {
        var rng = new Random(99);
        string[][] pool =
        [
            ["--workers", "0"], ["--workers", "4", "--groups", "3"], ["--lr", "NaN"], ["--momentum", "auto:1.5"], ["--batch", "-2"],
            ["--data", "synthetic:regression,cond=0"], ["--model", "lenet"], ["--schedule", "cosine:0"], ["--epochs", "0"],
            ["--backend", "simulated", "--distribution", "lognormal:-1"], ["--eval-size", "0"], ["--momentum", "0.3"], ["--seed", "7"],
        ];
        for (int i = 0; i < 10; i++)
        {
            var args = new List<string> { "train", "--updates", "3", "--out", TestSupport.TempDir("fuzz-cli") };
            for (int k = 0; k < 2; k++) args.AddRange(pool[rng.Next(pool.Length)]);
            var r = TestSupport.RunCli(args.ToArray());
            Assert.True(r.ExitCode is 0 or 2, $"polyak {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}");
            if (r.ExitCode == 2) Assert.Contains("error: ", r.Stderr);
            Assert.DoesNotContain("Unhandled exception", r.Stderr);
        }
    }
}
