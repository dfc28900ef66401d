using System.Security.Cryptography;
using System.Text;

namespace Dispatch.Server.Security;

/// <summary>
/// How tokens and client certificates are named in the tokens file. A token is stored as
/// <c>sha256:&lt;hex of SHA-256 of its UTF-8 bytes&gt;</c>, never in clear: whoever reads the file (or a backup
/// of it) cannot log in with it. No salt is needed because the tokens are not passwords: <see cref="NewToken"/>
/// makes 256 random bits, which no table or brute force reaches, and an unsalted hash lets the server find a
/// token with one dictionary lookup. A client certificate is named <c>cert-sha256:&lt;hex&gt;</c>, the SHA-256 of
/// its DER bytes (what <c>openssl x509 -noout -fingerprint -sha256</c> prints, colons removed).
/// </summary>
public static class TokenHash
{
    /// <summary>Prefix of a token's key.</summary>
    public const string TokenPrefix = "sha256:";

    /// <summary>Prefix of a client certificate's key.</summary>
    public const string CertificatePrefix = "cert-sha256:";

    /// <summary>The key a token is stored under.</summary>
    public static string OfToken(string token) => TokenPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The key a client certificate is stored under.</summary>
    public static string OfCertificate(ReadOnlySpan<byte> der) => CertificatePrefix + Convert.ToHexStringLower(SHA256.HashData(der));

    /// <summary>A new random token: 32 bytes from the OS's generator, base64url, no padding (43 characters).</summary>
    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
