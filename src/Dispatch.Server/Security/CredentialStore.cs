using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Security;

/// <summary>
/// The tokens file (<c>--auth-tokens</c>): one credential a line, <c>key role [name-or-courier-id] [expires=ISO-8601]</c>,
/// where key is <c>sha256:&lt;hex&gt;</c> of a token (see <see cref="TokenHash"/>; a bare 64-digit hex is read the
/// same) or <c>cert-sha256:&lt;hex&gt;</c> of a client certificate; <c>#</c> starts a comment. A courier-app line's
/// third field is its courier id. The file is read again when its timestamp or size changes (checked at every Hello
/// and by the server's revocation sweep), so adding, revoking or expiring a credential needs no restart. A file that
/// does not parse at start stops the start; on a reload it is logged and the previous table stays in force (a typo
/// must not lock every client out). Thread-safe: the table is an immutable dictionary swapped whole.
/// </summary>
public sealed class CredentialStore
{
    private readonly string _path;
    private readonly object _reloadLock = new();
    private volatile IReadOnlyDictionary<string, Principal> _table;
    private DateTime _stamp;
    private long _length;

    private CredentialStore(string path, IReadOnlyDictionary<string, Principal> table, DateTime stamp, long length)
    {
        _path = path;
        _table = table;
        _stamp = stamp;
        _length = length;
    }

    /// <summary>The file's full path.</summary>
    public string Path => _path;

    /// <summary>Credentials in the table now.</summary>
    public int Count => _table.Count;

    /// <summary>Reads the file; throws <see cref="FormatException"/> naming the line at fault, or an IO exception.</summary>
    public static CredentialStore Load(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        var info = new FileInfo(full);
        if (!info.Exists) throw new FileNotFoundException($"tokens file {full} (--auth-tokens) not found", full);
        return new CredentialStore(full, Parse(File.ReadAllLines(full), full), info.LastWriteTimeUtc, info.Length);
    }

    /// <summary>Parses the lines of a tokens file (<paramref name="source"/> names it in errors).</summary>
    public static IReadOnlyDictionary<string, Principal> Parse(IEnumerable<string> lines, string source)
    {
        var table = new Dictionary<string, Principal>(StringComparer.Ordinal);
        int n = 0;
        foreach (string raw in lines)
        {
            n++;
            int hash = raw.IndexOf('#', StringComparison.Ordinal);
            string line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0) continue;
            string[] f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            string Where() => $"{source} line {n}";
            if (f.Length < 2) throw new FormatException($"{Where()}: expected 'key role [name-or-courier-id] [expires=...]'");
            string key = NormalizeKey(f[0]) ?? throw new FormatException($"{Where()}: key must be sha256:<64 hex digits> (a token's hash, see 'Dispatch.Server hash-token') or cert-sha256:<64 hex digits>");
            if (!RoleNames.TryParse(f[1], out var role)) throw new FormatException($"{Where()}: unknown role '{f[1]}' (viewer, courier-app, integration, operator)");
            string? name = null;
            DateTimeOffset? expires = null;
            for (int i = 2; i < f.Length; i++)
            {
                if (f[i].StartsWith("expires=", StringComparison.OrdinalIgnoreCase))
                {
                    if (!DateTimeOffset.TryParse(f[i]["expires=".Length..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e))
                        throw new FormatException($"{Where()}: '{f[i]}' is not a date (use ISO 8601, e.g. expires=2027-01-31T00:00:00Z)");
                    expires = e;
                }
                else if (name is null) name = f[i];
                else throw new FormatException($"{Where()}: unexpected field '{f[i]}'");
            }
            long courier = -1;
            if (role == Role.CourierApp)
            {
                if (name is null || !long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out courier))
                    throw new FormatException($"{Where()}: a courier-app line needs its courier id (an integer >= 0) as third field");
                name = "courier-" + name;
            }
            name ??= key.Substring(key.IndexOf(':', StringComparison.Ordinal) + 1, 12); // a stable, non-secret label
            var kind = key.StartsWith(TokenHash.CertificatePrefix, StringComparison.Ordinal) ? CredentialKind.ClientCertificate : CredentialKind.Token;
            if (!table.TryAdd(key, new Principal(name, role, courier, expires, kind, key)))
                throw new FormatException($"{Where()}: the key appears twice");
        }
        return table;
    }

    /// <summary>The key in its canonical form (lower-case hex with its prefix), or null when it is not one.</summary>
    private static string? NormalizeKey(string text)
    {
        string prefix = TokenHash.TokenPrefix, hex = text;
        if (text.StartsWith(TokenHash.CertificatePrefix, StringComparison.OrdinalIgnoreCase)) { prefix = TokenHash.CertificatePrefix; hex = text[prefix.Length..]; }
        else if (text.StartsWith(TokenHash.TokenPrefix, StringComparison.OrdinalIgnoreCase)) hex = text[prefix.Length..];
        hex = hex.Replace(":", "", StringComparison.Ordinal);
        if (hex.Length != 64) return null;
        foreach (char ch in hex) if (!char.IsAsciiHexDigit(ch)) return null;
        return prefix + hex.ToLowerInvariant();
    }

    /// <summary>Reads the file again when its timestamp or size changed; true when the table was replaced.</summary>
    public bool ReloadIfChanged(ILogger log)
    {
        FileInfo info;
        try { info = new FileInfo(_path); info.Refresh(); }
        catch (IOException) { return false; }
        if (!info.Exists)
        {
            // A file removed (or replaced by rename, for an instant) keeps the table: an empty table would lock everyone out.
            return false;
        }
        if (info.LastWriteTimeUtc == _stamp && info.Length == _length) return false;
        lock (_reloadLock)
        {
            if (info.LastWriteTimeUtc == _stamp && info.Length == _length) return false;
            try
            {
                _table = Parse(File.ReadAllLines(_path), _path);
                _stamp = info.LastWriteTimeUtc;
                _length = info.Length;
                log.LogInformation("Tokens file {Path} reloaded: {Count} credentials", _path, _table.Count);
                return true;
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                // Remember the stamp so a broken file is reported once, not at every Hello.
                _stamp = info.LastWriteTimeUtc;
                _length = info.Length;
                log.LogError("Tokens file {Path} not reloaded, the previous credentials stay in force: {Message}", _path, ex.Message);
                return false;
            }
        }
    }

    /// <summary>The credential stored under <paramref name="key"/>, or null with the reason (unknown or expired; the reason never holds the secret).</summary>
    public Principal? Find(string key, DateTimeOffset now, out string reason)
    {
        if (!_table.TryGetValue(key, out var p))
        {
            reason = "unknown or revoked credential";
            return null;
        }
        if (p.IsExpired(now))
        {
            reason = $"credential '{p.Name}' expired at {p.Expires:O}";
            return null;
        }
        reason = "";
        return p;
    }

    /// <summary>True while the table still holds <paramref name="p"/> unchanged (same key, role, courier) and it has not expired.</summary>
    public bool StillValid(Principal p, DateTimeOffset now) =>
        _table.TryGetValue(p.Key, out var q) && q.Role == p.Role && q.CourierId == p.CourierId && !q.IsExpired(now);
}
