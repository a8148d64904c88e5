using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Orleans.Connections.Security;

namespace Polyak.Cluster.Security;

/// <summary>
/// How a cluster's members prove they belong: a cluster certificate (mutual TLS on every silo-to-silo and client
/// connection; a peer is accepted only when it presents the same certificate, so a machine without the file cannot
/// connect at all) and a cluster secret (a job is submitted or stopped only with an HMAC of its id under the secret).
/// Either may be absent; <see cref="None"/> is neither (loopback, or <c>--insecure</c>).
/// </summary>
public sealed class ClusterSecurity
{
    /// <summary>Environment variable holding the password of the certificate file (empty when unset).</summary>
    public const string PasswordVariable = "POLYAK_TLS_PASSWORD";

    /// <summary>Shortest secret accepted, in characters.</summary>
    public const int MinimumSecretLength = 16;

    private readonly byte[]? _secret;

    private ClusterSecurity(X509Certificate2? certificate, byte[]? secret)
    {
        Certificate = certificate;
        _secret = secret;
    }

    /// <summary>No TLS, no secret.</summary>
    public static ClusterSecurity None { get; } = new(null, null);

    /// <summary>The cluster certificate (with its private key), or null.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Whether a cluster secret is set.</summary>
    public bool HasSecret => _secret is not null;

    /// <summary>Whether connections use TLS.</summary>
    public bool UsesTls => Certificate is not null;

    /// <summary>
    /// Loads the certificate (PKCS#12, password from <see cref="PasswordVariable"/>) and the secret (a text file, trimmed)
    /// given on the command line; throws <see cref="ArgumentException"/> naming the option and the file.
    /// </summary>
    public static ClusterSecurity Load(string? certificateFile, string? secretFile)
    {
        X509Certificate2? certificate = null;
        if (certificateFile is not null)
        {
            if (!File.Exists(certificateFile)) throw new ArgumentException($"--tls-cert: no file '{certificateFile}' (make one with 'polyak cluster cert --out FILE')");
            try
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(certificateFile, Environment.GetEnvironmentVariable(PasswordVariable) ?? "");
            }
            catch (CryptographicException ex)
            {
                throw new ArgumentException($"--tls-cert: '{certificateFile}' is not a PKCS#12 certificate this password opens ({PasswordVariable}): {ex.Message}");
            }
            if (!certificate.HasPrivateKey) throw new ArgumentException($"--tls-cert: '{certificateFile}' holds no private key; give the .pfx with its key");
        }
        byte[]? secret = null;
        if (secretFile is not null)
        {
            if (!File.Exists(secretFile)) throw new ArgumentException($"--secret-file: no file '{secretFile}'");
            string text = File.ReadAllText(secretFile).Trim();
            if (text.Length < MinimumSecretLength)
                throw new ArgumentException($"--secret-file: '{secretFile}' holds {text.Length} characters; a cluster secret needs at least {MinimumSecretLength} (e.g. openssl rand -hex 32 > {secretFile})");
            secret = Encoding.UTF8.GetBytes(text);
        }
        return certificate is null && secret is null ? None : new ClusterSecurity(certificate, secret);
    }

    /// <summary>What a client sends with a request about <paramref name="jobId"/>: HMAC-SHA256 of the id under the secret (empty without one).</summary>
    public byte[] Prove(string jobId) => _secret is null ? [] : HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes("polyak-job:" + jobId));

    /// <summary>Throws <see cref="UnauthorizedAccessException"/> when the cluster has a secret and <paramref name="proof"/> is not <see cref="Prove"/>'s.</summary>
    public void Check(string jobId, byte[] proof, string what)
    {
        if (_secret is null) return;
        if (proof.Length == 0)
            throw new UnauthorizedAccessException($"{what} job {jobId}: this cluster requires its secret; give --secret-file FILE (the file the silos were started with)");
        if (!CryptographicOperations.FixedTimeEquals(proof, Prove(jobId)))
            throw new UnauthorizedAccessException($"{what} job {jobId}: wrong cluster secret (--secret-file is not the file the silos were started with)");
    }

    /// <summary>Accepts a peer's certificate only when it is the cluster certificate itself.</summary>
    public bool IsClusterCertificate(X509Certificate2? peer) =>
        Certificate is not null && peer is not null && CryptographicOperations.FixedTimeEquals(peer.RawData, Certificate.RawData);

    /// <summary>The TLS settings of silos and clients alike: TLS 1.2/1.3, a certificate required both ways, pinned to the cluster's.</summary>
    public void Configure(TlsOptions options)
    {
        options.LocalCertificate = Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (peer, _, _) => IsClusterCertificate(peer);
        options.OnAuthenticateAsClient = (_, o) => o.TargetHost = "polyak-cluster";
    }

    /// <summary>A self-signed cluster certificate (ECDSA P-256, server and client authentication, valid <paramref name="days"/> days) as PKCS#12 bytes.</summary>
    public static byte[] CreateCertificate(string password, int days = 365)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=polyak-cluster", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client authentication
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("polyak-cluster");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(days));
        return certificate.Export(X509ContentType.Pkcs12, password);
    }
}
