using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Security;

/// <summary>
/// The security pieces one server runs with, built from its options: TLS (<see cref="TlsAcceptor"/>), the tokens file
/// (<see cref="CredentialStore"/>), per-role limits and the subscription ledger, and the audit log (started with the
/// engine). Without <c>--auth-tokens</c> nobody authenticates and every peer is <see cref="Principal.Anonymous"/>, an
/// operator: today's behaviour, allowed only on loopback unless <c>AllowUnauthenticated</c> says otherwise.
/// </summary>
internal sealed class ServerSecurity : IDisposable
{
    private readonly ServerOptions _options;
    private readonly ILogger _log;

    public ServerSecurity(ServerOptions options, ILogger log)
    {
        _options = options;
        _log = log;
        if (!string.IsNullOrWhiteSpace(options.AuthTokens)) Credentials = CredentialStore.Load(options.AuthTokens);
        try
        {
            if (!string.IsNullOrWhiteSpace(options.TlsCertificate)) Tls = new TlsAcceptor(options, log);
        }
        catch
        {
            Dispose();
            throw;
        }
        foreach (var role in new[] { Role.Viewer, Role.CourierApp, Role.Integration, Role.Operator })
            _limits[(int)role] = options.LimitsOf(role);
    }

    private readonly RoleLimits[] _limits = new RoleLimits[5];

    /// <summary>The tokens file; null: no authentication.</summary>
    public CredentialStore? Credentials { get; }

    /// <summary>TLS; null: plaintext.</summary>
    public TlsAcceptor? Tls { get; }

    /// <summary>The audit log, once started (null when off).</summary>
    public AuditLog? Audit { get; private set; }

    /// <summary>Subscribed connections per credential.</summary>
    public SubscriptionLedger Subscriptions { get; } = new();

    /// <summary>True when every connection must present a credential.</summary>
    public bool RequiresAuthentication => Credentials is not null;

    /// <summary>The limits of a role.</summary>
    public RoleLimits LimitsOf(Role role) => _limits[(int)role];

    /// <summary>Opens the audit log under the data directory when the options turn it on.</summary>
    public AuditLog? StartAudit()
    {
        bool on = _options.Audit == AuditMode.On || (_options.Audit == AuditMode.Auto && RequiresAuthentication);
        if (on && Audit is null)
        {
            Audit = new AuditLog(_options.DataDirectory, _options.AuditFileBytes, _log);
            _log.LogInformation("Audit log in {Directory}", Audit.Folder);
        }
        return Audit;
    }

    /// <summary>
    /// Who a new session is: a client certificate found in the tokens file wins, else Hello's token; without
    /// authentication, <see cref="Principal.Anonymous"/>. Null with a reason for the Unauthenticated error (never the secret).
    /// </summary>
    public Principal? Authenticate(string? token, X509Certificate2? clientCertificate, DateTimeOffset now, out string reason)
    {
        reason = "";
        if (Credentials is null) return Principal.Anonymous;
        Credentials.ReloadIfChanged(_log); // a revocation counts from the next Hello, not the next sweep
        if (clientCertificate is not null)
        {
            var byCert = Credentials.Find(TokenHash.OfCertificate(clientCertificate.RawData), now, out string certReason);
            if (byCert is not null) return byCert;
            if (string.IsNullOrEmpty(token))
            {
                reason = $"client certificate {clientCertificate.Subject}: {certReason}";
                return null;
            }
        }
        if (string.IsNullOrEmpty(token))
        {
            reason = "this server requires a bearer token (Hello's sixth field) or a client certificate";
            return null;
        }
        return Credentials.Find(TokenHash.OfToken(token), now, out reason);
    }

    /// <summary>True while <paramref name="p"/> is still in force (always without authentication).</summary>
    public bool StillValid(Principal p, DateTimeOffset now) => Credentials is null || p.Kind == CredentialKind.None || Credentials.StillValid(p, now);

    /// <summary>Re-reads the tokens file if it changed (the revocation sweep).</summary>
    public void ReloadCredentials() => Credentials?.ReloadIfChanged(_log);

    public void Dispose()
    {
        Tls?.Dispose();
        Audit?.Dispose();
    }
}
