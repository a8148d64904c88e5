using System.CommandLine;
using Polyak.Cluster.Security;

namespace Polyak.Cli;

/// <summary>
/// <c>--tls-cert FILE</c> and <c>--secret-file FILE</c>: the cluster certificate (mutual TLS; password in
/// <c>POLYAK_TLS_PASSWORD</c>) and the cluster secret, given alike to silos and to every command that talks to them.
/// </summary>
public sealed class ClusterAccessOptions
{
    public readonly Option<string?> TlsCert = new("--tls-cert") { Description = $"Cluster certificate (PKCS#12 .pfx, password in {ClusterSecurity.PasswordVariable}; make one with 'polyak cluster cert'): every connection uses mutual TLS pinned to it" };
    public readonly Option<string?> SecretFile = new("--secret-file") { Description = $"File holding the cluster secret (at least {ClusterSecurity.MinimumSecretLength} characters): jobs are submitted and stopped only with it" };

    /// <summary>Both options.</summary>
    public Option[] All => [TlsCert, SecretFile];

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    /// <summary>The certificate and secret given (or <see cref="ClusterSecurity.None"/>).</summary>
    public ClusterSecurity Load(ParseResult p) => ClusterSecurity.Load(p.GetValue(TlsCert), p.GetValue(SecretFile));
}
