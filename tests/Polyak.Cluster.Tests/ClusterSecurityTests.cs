using System.Diagnostics;
using Polyak.Cluster.Client;
using Polyak.Cluster.Security;
using Polyak.Execution;
using Polyak.Training;
using Xunit;
using Xunit.Abstractions;

namespace Polyak.Cluster.Tests;

/// <summary>
/// Security by default: a cluster certificate (mutual TLS pinned to it) and a cluster secret (HMAC proof per job) on a
/// real silo process; a client with both trains, one without the secret or with a wrong one is refused at submission,
/// one without the certificate cannot connect; a silo opened beyond loopback without them is refused at start.
/// </summary>
public sealed class ClusterSecurityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "polyak-sec-" + Guid.NewGuid().ToString("N"));
    private readonly List<SiloProcess> _silos = [];


    public void Dispose()
    {
        foreach (var s in _silos) s.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private string Write(string name, byte[] bytes)
    {
        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Secret(string name, string text) => Write(name, System.Text.Encoding.UTF8.GetBytes(text + "\n"));

    [Fact]
    public void TheSecretProvesAJobAndNothingElse()
    {
        var security = ClusterSecurity.Load(null, Secret("s", "0123456789abcdef0123"));
        var other = ClusterSecurity.Load(null, Secret("o", "fedcba98765432100000"));
        byte[] proof = security.Prove("job-1");
        security.Check("job-1", proof, "submit"); // accepted
        Assert.Contains("wrong cluster secret", Assert.Throws<UnauthorizedAccessException>(() => security.Check("job-2", proof, "submit")).Message);
        Assert.Contains("wrong cluster secret", Assert.Throws<UnauthorizedAccessException>(() => security.Check("job-1", other.Prove("job-1"), "submit")).Message);
        Assert.Contains("requires its secret", Assert.Throws<UnauthorizedAccessException>(() => security.Check("job-1", [], "stop")).Message);
        ClusterSecurity.None.Check("job-1", [], "submit"); // a cluster without a secret takes any job
        Assert.Empty(ClusterSecurity.None.Prove("job-1"));
    }

    [Fact]
    public void BadCertificateAndSecretFilesAreNamed()
    {
        Assert.Contains("at least 16", Assert.Throws<ArgumentException>(() => ClusterSecurity.Load(null, Secret("short", "abc"))).Message);
        Assert.Contains("no file", Assert.Throws<ArgumentException>(() => ClusterSecurity.Load(Path.Combine(_dir, "none.pfx"), null)).Message);
        string garbage = Write("garbage.pfx", [1, 2, 3, 4]);
        var ex = Assert.Throws<ArgumentException>(() => ClusterSecurity.Load(garbage, null));
        Assert.Contains("garbage.pfx", ex.Message);
        Assert.Contains("PKCS#12", ex.Message);
    }

    [Fact]
    public void ACertificateIsPinned()
    {
        var one = ClusterSecurity.Load(Write("one.pfx", ClusterSecurity.CreateCertificate("")), null);
        var two = ClusterSecurity.Load(Write("two.pfx", ClusterSecurity.CreateCertificate("")), null);
        Assert.True(one.IsClusterCertificate(one.Certificate));
        Assert.False(one.IsClusterCertificate(two.Certificate));
        Assert.False(one.IsClusterCertificate(null));
    }

    [Fact]
    public async Task ATlsClusterWithASecretTakesJobsOnlyFromClientsThatHoldBoth()
    {
        string cert = Write("cluster.pfx", ClusterSecurity.CreateCertificate(""));
        string secret = Secret("secret", "5f4dcc3b5aa765d61d8327deb882cf99");
        var silo = SiloProcess.Start("all", null, extraArguments: ["--tls-cert", cert, "--secret-file", secret]);
        _silos.Add(silo);
        await silo.WaitReady(TimeSpan.FromSeconds(90));
        Assert.Contains("mutual TLS; cluster secret", silo.Output);
        string endpoint = $"127.0.0.1:{silo.GatewayPort}";
        var full = ClusterSecurity.Load(cert, secret);

        TrainingResult Train(ClusterSecurity security, string name)
        {
            var backend = new ClusterBackend { Security = security };
            BackendCatalog.Register("cluster", () => backend);
            var r = new Trainer().Run(new TrainingOptions
            {
                Model = "softmax", Data = "synthetic:mixture,dim=32,classes=5,n=2000,test=200", Backend = "cluster", Cluster = endpoint,
                Workers = 2, Batch = 32, Updates = 200, EvalEvery = 100, EvalSize = 200, Seed = 2, OutDir = Path.Combine(_dir, name),
            });
            output.WriteLine($"{name}: {r.Status} {r.Failure?.Message}");
            return r;
        }

        var ok = Train(full, "both");
        Assert.Null(ok.Failure);
        Assert.Equal(200, ok.Record.Summary.Updates);

        var noSecret = Train(ClusterSecurity.Load(cert, null), "no-secret");
        Assert.IsType<ArgumentException>(noSecret.Failure);
        Assert.Contains("requires its secret", noSecret.Failure!.Message);

        var wrong = Train(ClusterSecurity.Load(cert, Secret("wrong", "00000000000000000000000000000000")), "wrong-secret");
        Assert.Contains("wrong cluster secret", wrong.Failure!.Message);

        // No certificate, or another cluster's: the TLS handshake fails, so no Orleans call is ever made.
        var stranger = ClusterSecurity.Load(Write("other.pfx", ClusterSecurity.CreateCertificate("")), secret);
        foreach (var (security, what) in new[] { (ClusterSecurity.Load(null, secret), "no certificate"), (stranger, "another certificate") })
        {
            var sw = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<ArgumentException>(() => ClusterEndpoint.ConnectAsync(ClusterEndpoint.ParseList(endpoint), TimeSpan.FromSeconds(4), security));
            output.WriteLine($"{what}: refused in {sw.Elapsed.TotalSeconds:F1} s: {ex.Message}");
            Assert.Contains("--tls-cert", ex.Message);
        }
    }

    [Fact]
    public void ASiloOpenedBeyondLoopbackWithoutTlsOrSecretIsRefusedAtStart()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Polyak.Cli.dll"), "cluster", "silo", "--redis", "127.0.0.1:1", "--host", "10.11.12.13" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("--host 10.11.12.13 opens this silo beyond this machine", err);
        Assert.Contains("--tls-cert", err);
        Assert.Contains("--secret-file", err);
        Assert.Contains("--insecure", err);
    }
}
