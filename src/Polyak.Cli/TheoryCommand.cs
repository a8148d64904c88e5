using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Polyak.Execution;
using Polyak.Reporting;
using Polyak.Theory;

namespace Polyak.Cli;

/// <summary><c>polyak theory</c>: checks the staleness law and the implicit momentum 1 - 1/M on the simulator.</summary>
public static class TheoryCommand
{
    public static Command Create()
    {
        var workers = new Option<string?>("--workers") { Description = "Comma-separated numbers of asynchronous workers M (default 1,2,4,8,16,32)" };
        var momentum = new Option<double?>("--momentum") { Description = "Explicit momentum mu_e in (-1, 1) (default 0)" };
        var distribution = new Option<string?>("--distribution") { Description = "Gradient-time distribution: exponential (default), constant, uniform[:H], lognormal[:SIGMA]" };
        var trajectories = new Option<int?>("--trajectories") { Description = "Independent trajectories per M for the offline fit (default 256)" };
        var bootstrap = new Option<int?>("--bootstrap") { Description = "Bootstrap resamples for the intervals (default 200)" };
        var updates = new Option<int?>("--staleness-updates") { Description = "Updates per M of the staleness / online run (default 20000)" };
        var seed = new Option<ulong?>("--seed") { Description = "Seed (default 1)" };
        var outDir = new Option<string?>("--out") { Description = "Output folder for theory.csv, theory.json and the plots (default runs/<time>-theory)" };
        var json = new Option<bool>("--json") { Description = "Print the table as one JSON object on the last line of stdout" };
        var command = new Command("theory", "Check the theory on the simulator: staleness law (chi-square) and implicit momentum mu_hat vs 1 - 1/M");
        foreach (var o in new Option[] { workers, momentum, distribution, trajectories, bootstrap, updates, seed, outDir, json }) command.Options.Add(o);
        command.SetAction(p => CommandRunner.Run(() =>
        {
            var options = new TheoryOptions();
            if (p.GetValue(workers) is string list) options = options with { Workers = ParseList(list) };
            if (p.GetValue(momentum) is double mu) options = options with { ExplicitMomentum = mu };
            if (p.GetValue(distribution) is string d) options = options with { Distribution = d };
            if (p.GetValue(trajectories) is int t) options = options with { Trajectories = t };
            if (p.GetValue(bootstrap) is int b) options = options with { Bootstrap = b };
            if (p.GetValue(updates) is int u) options = options with { StalenessUpdates = u };
            if (p.GetValue(seed) is ulong s) options = options with { Seed = s };
            options.Validate();
            string dir = OutputFolder.Claim(p.GetValue(outDir) ?? Path.Combine("runs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-theory"), "--out", ["theory.json", "theory.csv"]);
            using var interruption = new Interruption();
            var report = TheoryStudy.Run(options, msg => Console.Error.WriteLine(msg), interruption.Token);
            var files = TheoryReportWriter.Write(report, dir);
            Print(report);
            Console.WriteLine($"wrote {string.Join(", ", files.Select(Path.GetFileName))} to {Path.GetFullPath(dir)}");
            if (p.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(TheorySummary.Of(report, Path.GetFullPath(dir)), Json.Compact));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Parses a comma-separated list of M values.</summary>
    public static int[] ParseList(string list)
    {
        var parts = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ArgumentException($"--workers: expected a comma-separated list of integers, got '{list}'");
        return parts.Select(x => int.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out int m)
            ? m : throw new ArgumentException($"--workers: '{x}' is not an integer (in '{list}')")).ToArray();
    }

    private static void Print(TheoryReport report)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"Theory check on the simulator: {report.Options.Distribution} gradient times, explicit momentum {report.Options.ExplicitMomentum:G3}, quadratic d = {report.Eigenvalues.Length} (condition {report.Options.Condition:G3}), {report.Options.Trajectories} trajectories per M"));
        var table = ConsoleTable.Create(["M", "staleness", "M-1", "chi2 p", "mu_hat", "95% CI", "1-1/M (+mu_e)", "LS mu", "alpha/a", "1/M", "lag2", "lag2 exact", "supports", "online mu_e+q"],
            0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 13);
        foreach (var r in report.Rows)
        {
            table.AddRow([
                r.Workers.ToString(c), r.StalenessMean.ToString("F3", c), r.StalenessPredicted.ToString("F0", c),
                r.ChiSquarePValue is double pv ? pv.ToString("F3", c) + (r.ChiSquareValid ? "" : " (corr)") : "-", r.MuHat.ToString("F4", c),
                r.IntervalsDegenerate ? "none (identical)" : string.Create(c, $"[{r.MuHatCi[0]:F4}, {r.MuHatCi[1]:F4}]"), r.MuPredicted.ToString("F4", c), r.MuLeastSquares.ToString("F4", c),
                r.AlphaRatio.ToString("F4", c), r.AlphaRatioPredicted.ToString("F4", c), r.Lag2.ToString("F4", c), r.Lag2Exact.ToString("F4", c),
                r.Supports, r.OnlineMu.ToString("F4", c) + (r.OnlineValid ? "" : " (n/m)"),
            ]);
        }
        ConsoleTable.Write(table);
        if (report.Rows.Any(r => r.IntervalsDegenerate))
            Console.WriteLine("none (identical): every trajectory is the same (e.g. constant gradient times), so the bootstrap has no spread to show: no interval.");
        if (report.Rows.Any(r => !r.OnlineValid))
            Console.WriteLine($"(n/m): not meaningful — the online estimator assumes the memoryless race (exponential times); these are {report.Options.Distribution} times.");
        if (report.Rows.Any(r => !r.ChiSquareValid))
            Console.WriteLine(string.Create(c, $"(corr): the thinned staleness values are autocorrelated (lag-1 {string.Join(", ", report.Rows.Where(r => !r.ChiSquareValid).Select(r => $"M={r.Workers}: {r.ChiSquareLag1Correlation:G2}"))}), so the test's independence assumption fails and its p-value is not valid."));
        foreach (var r in report.Rows.Where(r => r.Supports == "neither"))
            Console.WriteLine($"M={r.Workers} supports neither lag model: {r.SupportsReason}.");
        Console.WriteLine(string.Create(c, $"({report.WallSeconds:F1} s)"));
    }
}
