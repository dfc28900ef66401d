using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dispatch.Client;

namespace Dispatch.LoadTest;

/// <summary>
/// TLS for a load run (<c>--tls on</c>): a self-signed certificate for localhost made at run time (ECDSA P-256, nothing
/// written but a temporary .pfx and its password file for the server), the server's arguments to use it, and the
/// client side: the setup client's options and the raw connections' handshake, both trusting exactly that certificate.
/// </summary>
internal sealed class LoadTls : IDisposable
{
    private const string Password = "loadtest";
    private readonly string _folder;
    private readonly X509Certificate2 _certificate;

    public LoadTls()
    {
        _folder = Path.Combine(Path.GetTempPath(), "dispatch-loadtest", "tls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        byte[] pfx = cert.Export(X509ContentType.Pkcs12, Password);
        File.WriteAllBytes(Path.Combine(_folder, "server.pfx"), pfx);
        File.WriteAllText(Path.Combine(_folder, "password.txt"), Password);
        _certificate = X509CertificateLoader.LoadCertificate(cert.RawData);
    }

    /// <summary>The server's command-line arguments for this certificate.</summary>
    public string[] ServerArgs => ["--tls-cert", Path.Combine(_folder, "server.pfx"), "--tls-cert-password-file", Path.Combine(_folder, "password.txt")];

    /// <summary>Options for a <see cref="DispatchClient"/> that trusts this certificate alone.</summary>
    public DispatchClientOptions ClientOptions(string name) => new() { ClientName = name, Tls = true, TargetHost = "localhost", TrustedCa = _certificate };

    /// <summary>The TLS handshake of a raw load connection.</summary>
    public async Task<Stream> WrapAsync(Stream inner)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHash().AsSpan().SequenceEqual(_certificate.GetCertHash()),
        }).ConfigureAwait(false);
        return ssl;
    }

    public void Dispose()
    {
        _certificate.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
