namespace Dispatch.Server.Security;

/// <summary>How a peer proved who it is.</summary>
public enum CredentialKind
{
    /// <summary>Nothing: a server without authentication (loopback by default) treats every peer as an operator.</summary>
    None,
    /// <summary>A bearer token in Hello, found in the tokens file by its hash.</summary>
    Token,
    /// <summary>A TLS client certificate that chains to the configured client CA, found in the tokens file by its SHA-256 thumbprint.</summary>
    ClientCertificate,
}

/// <summary>
/// An authenticated peer: the credential's name, its role, the courier it speaks for (courier-app), when it
/// expires, and the key it was found under (to tell, on a reload of the tokens file, whether it was revoked).
/// Immutable; one per connection. The live view and the cluster edge are meant to produce the same type.
/// </summary>
/// <param name="Name">The credential's name from the tokens file (courier-app: <c>courier-&lt;id&gt;</c>); logged and audited, never secret.</param>
/// <param name="Role">What it may do.</param>
/// <param name="CourierId">The courier a courier-app credential speaks for; -1 for other roles.</param>
/// <param name="Expires">When the credential stops being valid; null: never.</param>
/// <param name="Kind">Token, client certificate, or none.</param>
/// <param name="Key">The tokens file's key for it (<c>sha256:...</c> or <c>cert-sha256:...</c>); empty for <see cref="Anonymous"/>.</param>
public sealed record Principal(string Name, Role Role, long CourierId, DateTimeOffset? Expires, CredentialKind Kind, string Key)
{
    /// <summary>Every peer of a server without authentication: today's behaviour, all allowed.</summary>
    public static Principal Anonymous { get; } = new("anonymous", Role.Operator, -1, null, CredentialKind.None, "");

    /// <summary>True once <paramref name="now"/> is at or past <see cref="Expires"/>.</summary>
    public bool IsExpired(DateTimeOffset now) => Expires is { } e && now >= e;
}
