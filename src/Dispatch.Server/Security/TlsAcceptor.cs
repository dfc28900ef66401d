using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Security;

/// <summary>
/// Turns an accepted socket's stream into a TLS stream (TLS 1.2 or 1.3 only), within a time limit, before the
/// connection reads a single frame. Plaintext or garbage sent to a TLS port fails the handshake at its first
/// record, a peer that sends nothing fails at the limit: either way the connection is closed, counted
/// (<c>dispatch.tls.handshake.failed</c>) and never reaches the read loop or the engine. With a client CA
/// (<c>--tls-client-ca</c>) a client certificate is asked for; one that is presented must chain to that CA (and only
/// to it: the system's roots are not trusted for clients), or the handshake fails. Its SHA-256 thumbprint is then
/// looked up in the tokens file to give the connection its role.
/// </summary>
public sealed class TlsAcceptor : IDisposable
{
    private readonly ServerCertificate _certificate;
    private readonly X509Certificate2Collection? _clientCa;
    private readonly bool _requireClientCertificate;
    private readonly TimeSpan _timeout;
    private readonly ILogger _log;

    /// <summary>Creates the acceptor; throws when the certificate or the client CA file cannot be read.</summary>
    public TlsAcceptor(ServerOptions options, ILogger log)
    {
        _log = log;
        _certificate = new ServerCertificate(options.TlsCertificate!, options.TlsCertificatePasswordFile, log);
        _timeout = options.TlsHandshakeTimeout;
        if (!string.IsNullOrWhiteSpace(options.TlsClientCa))
        {
            _clientCa = new X509Certificate2Collection();
            _clientCa.ImportFromPemFile(Path.GetFullPath(options.TlsClientCa));
            if (_clientCa.Count == 0) throw new InvalidOperationException($"{options.TlsClientCa} (--tls-client-ca) holds no certificate");
            _requireClientCertificate = options.TlsRequireClientCertificate;
        }
    }

    /// <summary>The server certificate source (reloaded on change).</summary>
    public ServerCertificate Certificate => _certificate;

    /// <summary>True when client certificates are asked for.</summary>
    public bool AsksForClientCertificates => _clientCa is not null;

    /// <summary>How long a peer has to start and finish the handshake (<c>TlsHandshakeTimeout</c>).</summary>
    public TimeSpan HandshakeTimeout => _timeout;

    /// <summary>
    /// The handshake over <paramref name="inner"/>; the TLS stream (owning <paramref name="inner"/>) and the client's
    /// certificate (null when none), or null when the handshake failed or took too long (the reason is logged at debug).
    /// </summary>
    public async Task<(SslStream Stream, X509Certificate2? ClientCertificate)?> AuthenticateAsync(Stream inner, string remote)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false, ValidateClient);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificate.Current,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = _clientCa is not null,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck, // our own CA, no CRL endpoint; revoke in the tokens file
        };
        using var cts = new CancellationTokenSource(_timeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(options, cts.Token).ConfigureAwait(false);
            X509Certificate2? client = ssl.RemoteCertificate is null ? null : ssl.RemoteCertificate as X509Certificate2 ?? new X509Certificate2(ssl.RemoteCertificate);
            return (ssl, client);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or ObjectDisposedException or System.ComponentModel.Win32Exception)
        {
            _log.LogDebug("TLS handshake with {Remote} failed: {Message}", remote, cts.IsCancellationRequested ? $"no handshake within {_timeout}" : ex.Message);
            await ssl.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>A client certificate must chain to the configured client CA alone; none at all is fine unless required (tokens then apply).</summary>
    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null) return !_requireClientCertificate;
        if (_clientCa is null) return true; // not asked for; ignored
        using var own = new X509Chain();
        own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        own.ChainPolicy.CustomTrustStore.AddRange(_clientCa);
        own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        own.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        own.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // client authentication
        if (chain is not null) own.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        using var cert = new X509Certificate2(certificate);
        bool ok = own.Build(cert);
        if (!ok) _log.LogInformation("Client certificate {Subject} refused: {Status}", cert.Subject, string.Join(", ", own.ChainStatus.Select(s => s.Status)));
        return ok;
    }

    /// <inheritdoc />
    public void Dispose() => _certificate.Dispose();
}
