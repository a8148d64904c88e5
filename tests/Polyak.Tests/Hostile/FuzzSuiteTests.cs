using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Polyak.Cli;
using Polyak.Execution;
using Polyak.Tests.Data;
using Polyak.Training;
using Xunit.Abstractions;

namespace Polyak.Tests.Hostile;

/// <summary>
/// The fuzz suite of the nothing-lost issue (seeded, bounded): every <c>--config</c> key with hostile values, broken run
/// file syntax, random command lines taken all the way through planning (validation, data, model, memory estimate),
/// corrupted run folders resumed and listed, and a set through the real process under a GC heap limit. Only two
/// outcomes pass: accepted because valid, or refused with one clear message (no .NET type names, no stack trace,
/// no line breaks) — in the process, exit 2 with exactly one <c>error:</c> line. Anything else, a hang, or an
/// allocation beyond the bound fails the test. The loaders' own fuzzing is in <see cref="LoaderFuzzTests"/>.
/// </summary>
public sealed class FuzzSuiteTests(ITestOutputHelper output)
{
    private const string SmallData = "synthetic:mixture,dim=8,n=300,test=50";

    /// <summary>Most bytes one in-process case may allocate on its thread (a bound on what a refusal may cost).</summary>
    private const long AllocationBound = 256L << 20;

    private static readonly string[] BannedInMessages =
        ["System.", "Exception", "LineNumber", "BytePositionInLine", "Nullable`", "Int32", "Int64", "UInt64", "   at ", "Polyak.Execution.", "Polyak.Cli."];

    /// <summary>Accepted or refused cleanly; anything else fails with the case's description.</summary>
    private static bool Judge(string describe, Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool accepted;
        try
        {
            action();
            accepted = true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException or FormatException)
        {
            CheckMessage(describe, ex.Message);
            accepted = false;
        }
        catch (Exception ex)
        {
            Assert.Fail($"{describe}: {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            throw;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocationBound, $"{describe}: allocated {allocated:N0} bytes");
        return accepted;
    }

    private static void CheckMessage(string describe, string message)
    {
        Assert.False(string.IsNullOrWhiteSpace(message), $"{describe}: empty message");
        string line = CommandRunner.OneLine(message);
        Assert.True(line.Length <= 420, $"{describe}: error line of {line.Length} characters");
        foreach (string banned in BannedInMessages)
            Assert.False(message.Contains(banned, StringComparison.Ordinal), $"{describe}: message shows '{banned}': {line}");
    }

    /// <summary>The CLI's own path: options from the command line (and --config), then the whole planning stage.</summary>
    private static void BuildAndPlan(params string[] args)
    {
        var set = new TrainingOptionSet();
        var command = new RootCommand();
        set.AddTo(command);
        var parse = command.Parse(args);
        if (parse.Errors.Count > 0) throw new ArgumentException(string.Join("; ", UsageErrors.Describe(parse))); // as the CLI prints them
        var options = set.Build(parse);
        RunPlanner.Plan(options);
    }

    private static readonly string[] HostileValues =
    [
        "null", "true", "false", "0", "-1", "1", "2", "3", "1.5", "-0.5", "0.99", "1e308", "-1e308", "1e400", "18446744073709551616",
        "9223372036854775807", "\"\"", "\" \"", "\"x\"", "\"NaN\"", "\"Infinity\"", "\"auto:0.5\"", "\"auto:7\"", $"\"{SmallData}\"",
        "\"synthetic:images,size=4,n=40,test=10\"", "\"softmax\"", "\"mlp:4\"", "\"fc2147483647-fc2\"", "\"hogwild\"", "\"simulated\"",
        "\"cluster\"", "\"exponential\"", "\"step:10:0.5\"", "\"cosine:-1\"", "\"127.0.0.1:1\"", "\"\\u0000\"", "[]", "[1,2]", "{}",
        "{\"distribution\":\"constant\"}", "{\"a\":1}", "\"" + new string('z', 100_000) + "\"",
    ];

    [Fact]
    public void EveryConfigKeyWithHostileValues()
    {
        string dir = TestSupport.TempDir("fuzz-config");
        string path = Path.Combine(dir, "run.json");
        var fields = Json.Indented.GetTypeInfo(typeof(TrainingOptions)).Properties.Select(p => p.Name);
        var keys = RunFile.CliNames.Concat(fields).Distinct().ToList();
        int accepted = 0, refused = 0;
        HostileInput.WithinSeconds(180, () =>
        {
            foreach (string key in keys)
                foreach (string value in HostileValues)
                {
                    var body = new StringBuilder("{");
                    if (key is not ("data" or "updates" or "eval-size" or "eval_size")) body.Append($"\"data\": \"{SmallData}\", \"updates\": 3, \"eval_size\": 50, ");
                    body.Append($"\"{key}\": {value}}}");
                    File.WriteAllText(path, body.ToString());
                    if (Judge($"config {{\"{key}\": {Shorten(value)}}}", () => BuildAndPlan("--config", path))) accepted++;
                    else refused++;
                }
        });
        output.WriteLine($"{keys.Count} keys x {HostileValues.Length} values: {accepted} accepted, {refused} refused");
        Assert.Equal(keys.Count * HostileValues.Length, accepted + refused);
        Assert.True(keys.Count * HostileValues.Length >= 1500);
        Assert.True(accepted > 100 && refused > 1000, $"accepted {accepted}, refused {refused}");
    }

    [Fact]
    public void BrokenRunFileSyntax()
    {
        string dir = TestSupport.TempDir("fuzz-syntax");
        string path = Path.Combine(dir, "run.json");
        string[] bodies =
        [
            $"{{\"data\": \"{SmallData}\", \"updates\": 3,}}", $"{{// comment\n\"data\": \"{SmallData}\"}}", $"{{/* c */ \"data\": \"{SmallData}\"}}",
            "{\"lr\": 0.1, \"lr\": 0.2}", "{\"lr\": 0.1, \"learning_rate\": 0.2}", "{\"lr\": 01}", "{\"lr\": .5}",
            "{\"lr\": 0x10}", "{'lr': 0.1}", "{\"lr\" 0.1}", "{\"config\": 3}", "{\"config\": {\"lr\": 0.1}, \"extra\": 1}", "{\"status\": 1}",
            new string('[', 5000) + new string(']', 5000), "{\"simulation\": {\"distribution\": {\"x\": 1}}}", "{\"auto_momentum\": {\"gain\": \"x\"}}",
            "{\"simulation\": {\"nope\": 1}}", "\"just a string\"", "123", "{\"lr\": 1}{\"lr\": 2}", "{\"model\": \"mlp:\"}",
            "{\"data\": \"synthetic,,\"}", "{\"format\": \"\"}", "{\"target_loss\": -1}", "{\"discipline\": 7}", "{\"backend\": null}",
        ];
        HostileInput.WithinSeconds(60, () =>
        {
            foreach (string body in bodies)
            {
                File.WriteAllText(path, body);
                bool ok = Judge($"run file '{Shorten(body)}'", () => BuildAndPlan("--config", path));
                Assert.False(ok, $"run file '{Shorten(body)}' was accepted");
            }
        });
    }

    [Fact]
    public void RandomCommandLinesThroughPlanning()
    {
        string[] names = ["--model", "--data", "--format", "--workers", "--groups", "--batch", "--lr", "--momentum", "--momentum-gain",
            "--momentum-bounds", "--momentum-period", "--weight-decay", "--schedule", "--discipline", "--updates", "--epochs", "--time",
            "--target-loss", "--seed", "--data-seed", "--eval-every", "--eval-size", "--backend", "--distribution", "--checkpoint-every",
            "--max-memory", "--compute-time", "--comm-delay", "--sync-cost", "--straggler", "--cluster"];
        string[] values = ["0", "-1", "1", "2", "3", "4", "16", "4096", "1e308", "NaN", "Infinity", "0.5", "abc", "", "auto", "auto:0.5",
            "auto:2", "hogwild", "atomic", "step:10:0.5", "inverse:0", "cosine", "cosine:-3", SmallData, "synthetic:nope", "synthetic:mixture,dim=0",
            "synthetic:regression,dim=4,n=30,test=5", "synthetic:images,size=4,n=40,test=10", "softmax", "linear", "logistic", "mlp:8", "lenet",
            "fc4-fc2", "simulated", "threads", "exponential", "lognormal:-1", "uniform:2", "csv", "libsvm", "idx", "1M", "64G", "3X",
            "-0.9,0.99", "0.9,-0.9", "127.0.0.1:1", "18446744073709551616"];
        var rng = new Random(20261203);
        int accepted = 0, refused = 0;
        HostileInput.WithinSeconds(180, () =>
        {
            for (int i = 0; i < 1200; i++)
            {
                var args = new List<string> { "--data", SmallData, "--updates", "3", "--eval-size", "50" };
                int count = rng.Next(1, 4);
                for (int k = 0; k < count; k++)
                {
                    string name = names[rng.Next(names.Length)];
                    args.Add(name);
                    // Half the time a value the option takes, so accepted configurations are explored too.
                    args.Add(Plausible.TryGetValue(name, out var good) && rng.Next(2) == 0 ? good[rng.Next(good.Length)] : values[rng.Next(values.Length)]);
                }
                if (Judge($"case {i}: {string.Join(' ', args.Skip(6))}", () => BuildAndPlan([.. args]))) accepted++;
                else refused++;
            }
        });
        output.WriteLine($"1200 command lines: {accepted} accepted, {refused} refused");
        Assert.True(accepted > 50 && refused > 500, $"accepted {accepted}, refused {refused}");
    }

    private static readonly Dictionary<string, string[]> Plausible = new()
    {
        ["--model"] = ["softmax", "mlp:8", "fc4-relu-fc10"], ["--workers"] = ["1", "2", "4"], ["--groups"] = ["1", "2"],
        ["--batch"] = ["8", "32"], ["--lr"] = ["0.1", "0.01"], ["--momentum"] = ["0", "0.5", "-0.3", "auto"], ["--weight-decay"] = ["0", "1e-4"],
        ["--schedule"] = ["constant", "cosine", "step:10:0.5"], ["--discipline"] = ["atomic", "hogwild"], ["--epochs"] = ["1", "0.5"],
        ["--time"] = ["1"], ["--target-loss"] = ["0.1"], ["--seed"] = ["2", "9"], ["--eval-every"] = ["1", "5"], ["--backend"] = ["simulated", "threads"],
        ["--checkpoint-every"] = ["0", "10"], ["--max-memory"] = ["1G", "1K"], ["--data-seed"] = ["3"],
    };

    private static readonly Lazy<string> SampleRun = new(() =>
    {
        string dir = TestSupport.TempDir("fuzz-run");
        new Trainer().Run(new TrainingOptions
        {
            Data = SmallData, Model = "softmax", Batch = 8, Workers = 2, Updates = 30, EvalEvery = 10, EvalSize = 50, OutDir = dir, Seed = 5,
            CheckpointEvery = 10,
        });
        return dir;
    });

    private static string CopyRun(string into)
    {
        Directory.CreateDirectory(into);
        foreach (string f in Directory.GetFiles(SampleRun.Value)) File.Copy(f, Path.Combine(into, Path.GetFileName(f)), overwrite: true);
        return into;
    }

    [Theory]
    [InlineData("run.json", 150, false)]
    [InlineData(CheckpointFile.FileName, 100, false)]
    [InlineData("checkpoint.prev.bin", 50, false)]
    [InlineData(CheckpointFile.FileName, 100, true)]
    public void CorruptedRunFoldersAreListedAndResumedOrRefusedCleanly(string file, int cases, bool withoutPrevious)
    {
        string root = TestSupport.TempDir("fuzz-resume");
        var rng = new Random(file.Length * 7919 + cases);
        int resumed = 0, refused = 0;
        byte[] good = File.ReadAllBytes(Path.Combine(SampleRun.Value, file));
        HostileInput.WithinSeconds(240, () =>
        {
            for (int i = 0; i < cases; i++)
            {
                string dir = CopyRun(Path.Combine(root, $"case{i}"));
                var m = Mutation.Draw(rng);
                File.WriteAllBytes(Path.Combine(dir, file), m.Apply(good));
                if (withoutPrevious) File.Delete(Path.Combine(dir, "checkpoint.prev.bin"));
                string describe = $"{file}{(withoutPrevious ? " (no previous)" : "")} case {i} ({m})";
                // Listing never throws: a folder it cannot read is shown as such.
                Judge(describe + " (list)", () => _ = RunFolderState.Read(dir));
                if (Judge(describe, () => new Trainer().Resume(dir, o => o with { Updates = 35 }))) resumed++;
                else refused++;
            }
        });
        output.WriteLine($"{file}: {cases} corruptions, {resumed} resumed, {refused} refused");
        Assert.Equal(cases, resumed + refused);
        // A damaged checkpoint.bin falls back to checkpoint.prev.bin (the resume reads the configuration from the checkpoint,
        // not run.json); without a previous one, the checksum refuses nearly every damage.
        if (withoutPrevious) Assert.True(refused > cases * 8 / 10, $"only {refused} of {cases} damaged checkpoints refused");
        else Assert.Equal(cases, resumed);
    }

    [Fact]
    public async Task ThroughTheRealProcessUnderAHeapLimitOnlyExit0Or2WithOneErrorLine()
    {
        string root = TestSupport.TempDir("fuzz-process");
        var rng = new Random(31337);
        string config = Path.Combine(root, "hostile.json");
        string[][] pool =
        [
            ["--workers", "0"], ["--workers", "4096", "--model", "mlp:4096"], ["--lr", "NaN"], ["--momentum", "auto:1.5"], ["--batch", "-2"],
            ["--batch", "1000000000"], ["--model", "fc2147483647-fc10"], ["--model", "mlp:100000,100000"], ["--schedule", "cosine:0"],
            ["--backend", "simulated", "--distribution", "lognormal:-1"], ["--eval-size", "0"], ["--format", ""], ["--target-loss", "-1"],
            ["--model", "mlp:"], ["--data", "synthetic,,"], ["--max-memory", "1K"], ["--config", config], ["--config", config],
            ["--backend", "cluster", "--cluster", "127.0.0.1:1"], ["--discipline", "hogwild", "--backend", "cluster", "--cluster", "127.0.0.1:1"],
            ["--seed", "7"], ["--momentum", "0.3"], ["--data", "/nonexistent/file.csv"], ["--data", root],
        ];
        string[] configs =
        [
            "{\"model\": null}", "{\"backend\": null}", "{\"simulation\": null}", "{\"discipline\": 7}", "{\"cluster\": \"127.0.0.1:1\"}",
            "{\"lr\": 0.1,}", "{\"workers\": \"two\"}", "{\"data\": \"" + new string('q', 5_000_000) + "\"}", "{\"lr\": 0.05}",
        ];
        int exits0 = 0, exits2 = 0;
        for (int i = 0; i < 30; i++)
        {
            File.WriteAllText(config, configs[i % configs.Length]);
            string outDir = Path.Combine(root, $"out{i}");
            var args = new List<string> { "train", "--data", SmallData, "--updates", "3", "--eval-size", "50", "--out", outDir };
            var picked = pool[rng.Next(pool.Length)];
            args.AddRange(picked);
            if (rng.Next(3) == 0) args.AddRange(pool[rng.Next(pool.Length)]);
            var (code, stderr) = await RunLimited(args, TimeSpan.FromSeconds(90));
            string describe = $"polyak {string.Join(' ', args.Select(a => a.Length > 60 ? a[..60] + "..." : a))} (config {Shorten(configs[i % configs.Length])})";
            Assert.True(code is 0 or 2, $"{describe} exited {code}: {Shorten(stderr, 2000)}");
            Assert.DoesNotContain("Unhandled exception", stderr);
            Assert.DoesNotContain("   at ", stderr);
            var errors = stderr.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
            if (code == 2)
            {
                exits2++;
                Assert.True(errors.Count == 1, $"{describe}: {errors.Count} error lines: {Shorten(stderr, 2000)}");
                CheckMessage(describe, errors[0]["error: ".Length..]);
            }
            else
            {
                exits0++;
                Assert.Empty(errors);
            }
        }
        output.WriteLine($"30 processes: {exits0} exit 0, {exits2} exit 2");
        Assert.True(exits2 > 10, $"only {exits2} refusals");
    }

    /// <summary>Runs the CLI with the GC heap capped at 1 GiB (an unbounded allocation fails there instead of swapping).</summary>
    private static async Task<(int Code, string Stderr)> RunLimited(IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(TestSupport.CliDll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_GCHeapHardLimit"] = "0x40000000";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"polyak {string.Join(' ', args)} did not finish in {timeout.TotalSeconds} s");
        }
        _ = await stdout;
        return (p.ExitCode, await stderr);
    }

    private static string Shorten(string s, int max = 120) => s.Length <= max ? s : s[..max] + $"...({s.Length} chars)";
}
