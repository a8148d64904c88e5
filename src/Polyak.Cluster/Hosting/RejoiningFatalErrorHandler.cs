using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace Polyak.Cluster.Hosting;

/// <summary>
/// Orleans' fatal-error handler, except for one case: a silo the cluster declared dead (it was frozen or cut off for
/// longer than <see cref="FailureDetection.ToleratedFreeze"/>) stops its host instead of killing the process, and
/// <see cref="SiloRestart.DeclaredDead"/> says so, so the host loop of <c>polyak cluster silo</c> starts it again as a
/// new member. Every other fatal error ends the process as Orleans' own handler does.
/// </summary>
public sealed class RejoiningFatalErrorHandler(IHostApplicationLifetime lifetime, SiloRestart restart) : IFatalErrorHandler
{
    /// <inheritdoc/>
    public bool IsUnexpected(Exception exception) => exception is not ThreadInterruptedException;

    /// <inheritdoc/>
    public void OnFatalException(object? sender, string? context, Exception? exception)
    {
        string what = $"{context ?? "fatal error"}{(exception is null ? "" : $": {exception}")}";
        if (restart.Enabled && context is not null && context.Contains("told I am dead", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"silo declared dead by the cluster: {what}");
            restart.MarkDeclaredDead(context);
            lifetime.StopApplication();
            return;
        }
        Console.Error.WriteLine($"fatal error in the silo ({sender}): {what}");
        Console.Error.Flush();
        Environment.FailFast(what, exception);
    }
}

/// <summary>Whether a silo that was declared dead should come back as a new member, and whether that happened.</summary>
public sealed class SiloRestart
{
    private string? _reason;

    /// <summary>False for a silo whose restart would not help (the primary of localhost clustering holds the membership table).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The cluster declared this silo dead (the reason), or null.</summary>
    public string? DeclaredDead => Volatile.Read(ref _reason);

    /// <summary>Records that the cluster declared this silo dead.</summary>
    public void MarkDeclaredDead(string reason) => Volatile.Write(ref _reason, reason);
}
