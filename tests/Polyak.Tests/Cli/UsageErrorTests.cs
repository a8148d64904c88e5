using Polyak.Cli;

namespace Polyak.Tests.Cli;

public class UsageErrorTests
{
    private static IReadOnlyList<string> Errors(params string[] args) => UsageErrors.Describe(Program.BuildRoot().Parse(args));

    [Theory]
    [InlineData("--lr", "abc", "--lr: 'abc' is not a number")]
    [InlineData("--seed", "-1", "--seed: '-1' is not a non-negative integer")]
    [InlineData("--updates", "1.5", "--updates: '1.5' is not an integer")]
    [InlineData("--workers", "two", "--workers: 'two' is not an integer")]
    [InlineData("--workers", "99999999999", "--workers: '99999999999' is out of range (at most 2147483647)")]
    public void ValuesThatDoNotParseNameTheOptionAndTheKindOfValue(string option, string value, string expected)
    {
        var errors = Errors("train", option, value);
        Assert.Equal([expected], errors);
    }

    [Fact]
    public void MissingValueNamesTheOption()
    {
        Assert.Equal(["--lr needs a value"], Errors("train", "--lr"));
    }

    [Fact]
    public void MistypedCommandIsOneLineWithASuggestion()
    {
        var errors = Errors("trian");
        Assert.Equal(["unknown command 'trian', did you mean 'train'? (commands: train, theory, tune, study, optimize, cluster, runs, export, evaluate, report, serve)"], errors);
    }

    [Fact]
    public void UnknownCommandFarFromAnyHasNoSuggestion()
    {
        Assert.Equal(["unknown command 'xyzzy' (commands: train, theory, tune, study, optimize, cluster, runs, export, evaluate, report, serve)"], Errors("xyzzy"));
        Assert.Equal(["no command given (commands: train, theory, tune, study, optimize, cluster, runs, export, evaluate, report, serve)"], Errors());
        Assert.Equal(["unknown command 'siol', did you mean 'silo'? (commands: silo, status, stop, cert, attach)"], Errors("cluster", "siol"));
    }

    [Fact]
    public void UnknownOptionSuggestsTheClosestOneAndSkipsItsValue()
    {
        Assert.Equal(["unknown option '--wrokers', did you mean '--workers'?"], Errors("train", "--wrokers", "4"));
        Assert.Equal(["unexpected argument 'extra'"], Errors("train", "extra"));
    }

    [Fact]
    public void ValidCommandLinesHaveNoErrors()
    {
        Assert.Empty(Errors("train", "--lr", "0.1", "--seed", "3", "--updates", "10", "--momentum", "-0.5"));
    }

    [Fact]
    public void TheProcessPrintsOneErrorLineAndExitsWith2()
    {
        var r = TestSupport.RunCli("trian");
        Assert.Equal(2, r.ExitCode);
        var errorLines = r.Stderr.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["error: unknown command 'trian', did you mean 'train'? (commands: train, theory, tune, study, optimize, cluster, runs, export, evaluate, report, serve)"], errorLines);
        var lr = TestSupport.RunCli("train", "--lr", "abc");
        Assert.Equal(2, lr.ExitCode);
        Assert.Contains("error: --lr: 'abc' is not a number", lr.Stderr);
        Assert.DoesNotContain("System.", lr.Stderr);
    }
}
