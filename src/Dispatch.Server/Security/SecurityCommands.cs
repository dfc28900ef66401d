using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Dispatch.Server.Security;

/// <summary>
/// The server's security subcommands, run instead of the server when the first argument names one:
/// <c>hash-token [token]</c> (a new random token, or the given one, and its tokens-file key),
/// <c>cert-key &lt;cert.pem|cert.der&gt;</c> (a client certificate's tokens-file key), and
/// <c>audit --data DIR [--order ID] [--courier ID] [--credential NAME]</c> (the audit lines that match, oldest first).
/// </summary>
public static class SecurityCommands
{
    /// <summary>True when <paramref name="args"/> starts with one of the subcommands.</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "hash-token" or "cert-key" or "audit";

    /// <summary>Runs the subcommand; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            return args[0] switch
            {
                "hash-token" => HashToken(args, output),
                "cert-key" => CertificateKey(args, output, error),
                _ => Audit(args, output, error),
            };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or FormatException)
        {
            error.WriteLine($"{args[0]}: {ex.Message}");
            return 1;
        }
    }

    private static int HashToken(string[] args, TextWriter output)
    {
        bool generated = args.Length < 2;
        string token = generated ? TokenHash.NewToken() : args[1];
        if (generated) output.WriteLine($"token: {token}    (give it to the client; it is not stored anywhere)");
        output.WriteLine($"key:   {TokenHash.OfToken(token)}");
        output.WriteLine($"line for the tokens file: {TokenHash.OfToken(token)} <viewer|courier-app|integration|operator> <name-or-courier-id> [expires=2027-01-31T00:00:00Z]");
        return 0;
    }

    private static int CertificateKey(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length < 2) { error.WriteLine("usage: cert-key <client-cert.pem|.der|.cer>"); return 2; }
        string text = File.ReadAllText(args[1]);
        using var cert = text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text)
            : X509CertificateLoader.LoadCertificateFromFile(args[1]);
        output.WriteLine($"key: {TokenHash.OfCertificate(cert.RawData)}    ({cert.Subject})");
        return 0;
    }

    private static int Audit(string[] args, TextWriter output, TextWriter error)
    {
        string? data = null, credential = null;
        long? order = null, courier = null;
        for (int i = 1; i < args.Length; i++)
        {
            string? next = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--data" when next is not null: data = next; i++; break;
                case "--order" when next is not null: order = long.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "--courier" when next is not null: courier = long.Parse(next, CultureInfo.InvariantCulture); i++; break;
                case "--credential" when next is not null: credential = next; i++; break;
                default: error.WriteLine($"audit: bad argument {args[i]}\nusage: audit --data DIR [--order ID] [--courier ID] [--credential NAME]"); return 2;
            }
        }
        if (data is null) { error.WriteLine("usage: audit --data DIR [--order ID] [--courier ID] [--credential NAME]"); return 2; }
        foreach (string line in AuditLines(data))
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            if (order is { } o && !(e.TryGetProperty("orderId", out var v) && v.GetInt64() == o)) continue;
            if (courier is { } k && !((e.TryGetProperty("courierId", out var cv) && cv.GetInt64() == k) || (e.TryGetProperty("courierOf", out var co) && co.GetInt64() == k))) continue;
            if (credential is not null && !(e.TryGetProperty("credential", out var n) && n.GetString() == credential)) continue;
            output.WriteLine(line);
        }
        return 0;
    }

    /// <summary>Every line of the audit files under <paramref name="dataDirectory"/>, oldest file first (rotated ones by their time, then the active one).</summary>
    public static IEnumerable<string> AuditLines(string dataDirectory)
    {
        string dir = Path.Combine(dataDirectory, "audit");
        if (!Directory.Exists(dir)) yield break;
        var rotated = Directory.GetFiles(dir, "audit-*.jsonl").Order(StringComparer.Ordinal).ToList();
        string active = Path.Combine(dir, AuditLog.ActiveFile);
        if (File.Exists(active)) rotated.Add(active);
        foreach (string file in rotated)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
                if (line.Length > 0) yield return line;
        }
    }
}
