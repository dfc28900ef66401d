using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Security;

/// <summary>
/// The server's TLS certificate (<c>--tls-cert file.pfx</c>, password from <c>--tls-cert-password-file</c>), reloaded
/// without a restart: every new connection asks for <see cref="Current"/>, which reads the file's timestamp and size and
/// loads it again when they changed. A renewed certificate is therefore used from the next connection on; live
/// connections keep the session they negotiated. A file that does not load (half-copied, wrong password) keeps the
/// previous certificate in force and is logged once per change. The password file's first line is the password (a
/// file rather than an option, so it appears in no process list or shell history).
/// </summary>
public sealed class ServerCertificate : IDisposable
{
    private readonly string _path;
    private readonly string? _passwordFile;
    private readonly ILogger _log;
    private readonly object _lock = new();
    private volatile SslStreamCertificateContext _context;
    private X509Certificate2 _certificate;
    private DateTime _stamp;
    private long _length;

    /// <summary>Loads the certificate; throws when it cannot (a server must not start without the certificate it was told to use).</summary>
    public ServerCertificate(string path, string? passwordFile, ILogger log)
    {
        _path = Path.GetFullPath(path);
        _passwordFile = string.IsNullOrWhiteSpace(passwordFile) ? null : Path.GetFullPath(passwordFile);
        _log = log;
        var info = new FileInfo(_path);
        if (!info.Exists) throw new FileNotFoundException($"TLS certificate {_path} (--tls-cert) not found", _path);
        (_certificate, _context) = Load();
        _stamp = info.LastWriteTimeUtc;
        _length = info.Length;
    }

    /// <summary>The certificate in force (for logs and tests).</summary>
    public X509Certificate2 Certificate => _certificate;

    /// <summary>The certificate context for a new connection, after reloading the file if it changed.</summary>
    public SslStreamCertificateContext Current
    {
        get
        {
            ReloadIfChanged();
            return _context;
        }
    }

    private void ReloadIfChanged()
    {
        var info = new FileInfo(_path);
        if (!info.Exists || (info.LastWriteTimeUtc == _stamp && info.Length == _length)) return;
        lock (_lock)
        {
            if (info.LastWriteTimeUtc == _stamp && info.Length == _length) return;
            _stamp = info.LastWriteTimeUtc;
            _length = info.Length;
            try
            {
                var (cert, context) = Load();
                _certificate = cert;
                _context = context; // the old certificate stays alive: connections negotiated with it may still use it
                _log.LogInformation("TLS certificate {Path} reloaded: {Subject}, valid until {NotAfter:O}", _path, cert.Subject, cert.NotAfter);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
            {
                _log.LogError("TLS certificate {Path} not reloaded, the previous one stays in force: {Message}", _path, ex.Message);
            }
        }
    }

    private (X509Certificate2, SslStreamCertificateContext) Load()
    {
        string? password = _passwordFile is null ? null : (File.ReadLines(_passwordFile).FirstOrDefault() ?? "");
        var cert = X509CertificateLoader.LoadPkcs12FromFile(_path, password, X509KeyStorageFlags.DefaultKeySet);
        if (!cert.HasPrivateKey) throw new CryptographicException($"{_path} holds no private key");
        return (cert, SslStreamCertificateContext.Create(cert, additionalCertificates: null, offline: true));
    }

    /// <inheritdoc />
    public void Dispose() => _certificate.Dispose();
}
