using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dispatch.Server.Tests.Security;

/// <summary>
/// Certificates made at run time (nothing checked in): a test CA, a server certificate for localhost / 127.0.0.1 signed
/// by it, client certificates, and a second, unrelated CA with its own client certificate. ECDSA P-256: quick to make.
/// Written into a temporary folder as the server reads them: a .pfx with a password file, and the CA as PEM.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    public const string Password = "test-pfx-password";

    public TestCertificates()
    {
        Folder = Path.Combine(Path.GetTempPath(), "dispatch-tests", "tls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Ca = CreateCa("CN=Dispatch Test CA");
        OtherCa = CreateCa("CN=Some Other CA");
        Server = Issue(Ca, "CN=localhost", server: true);
        ServerPfx = Path.Combine(Folder, "server.pfx");
        WriteServerPfx(Server);
        PasswordFile = Path.Combine(Folder, "pfx-password.txt");
        File.WriteAllText(PasswordFile, Password + "\n");
        CaPem = Path.Combine(Folder, "ca.pem");
        File.WriteAllText(CaPem, Ca.ExportCertificatePem());
    }

    public string Folder { get; }
    public X509Certificate2 Ca { get; }
    public X509Certificate2 OtherCa { get; }
    public X509Certificate2 Server { get; }
    public string ServerPfx { get; }
    public string PasswordFile { get; }
    public string CaPem { get; }

    /// <summary>A client certificate signed by <paramref name="issuer"/> (with its private key, loadable by SslStream).</summary>
    public X509Certificate2 Client(X509Certificate2 issuer, string subject) => Issue(issuer, subject, server: false);

    /// <summary>Replaces the server's .pfx with a new certificate (a renewal).</summary>
    public X509Certificate2 RenewServer(string subject)
    {
        var cert = Issue(Ca, subject, server: true);
        WriteServerPfx(cert);
        return cert;
    }

    private void WriteServerPfx(X509Certificate2 cert)
    {
        string tmp = ServerPfx + ".tmp";
        File.WriteAllBytes(tmp, cert.Export(X509ContentType.Pkcs12, Password));
        File.Move(tmp, ServerPfx, overwrite: true);
        // Two writes within the file system's timestamp resolution would look unchanged: make the change visible.
        File.SetLastWriteTimeUtc(ServerPfx, DateTime.UtcNow.AddSeconds(Random.Shared.Next(1, 1000)));
    }

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 Issue(X509Certificate2 issuer, string subject, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            req.CertificateExtensions.Add(san.Build());
        }
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var signed = req.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        // Through PKCS#12 so the key is one SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose() => TestServer.TryDelete(Folder);
}
