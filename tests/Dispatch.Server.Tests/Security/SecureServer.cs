using Dispatch.Client;
using Dispatch.Server.Security;

namespace Dispatch.Server.Tests.Security;

/// <summary>A tokens file for a test: lines built from clear tokens (hashed as the server expects), rewritten whole.</summary>
internal sealed class TokensFile : IDisposable
{
    public TokensFile()
    {
        Folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dispatch-tests", "tokens-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Path = System.IO.Path.Combine(Folder, "tokens.txt");
    }

    public string Folder { get; }
    public string Path { get; }

    /// <summary>A tokens-file line for a clear token.</summary>
    public static string Line(string token, string role, string? nameOrCourier = null, DateTimeOffset? expires = null) =>
        $"{TokenHash.OfToken(token)} {role}" + (nameOrCourier is null ? "" : " " + nameOrCourier) + (expires is { } e ? $" expires={e.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}" : "");

    /// <summary>Replaces the file (atomically) and moves its timestamp, so a reload sees the change even within one clock tick.</summary>
    public void Write(params string[] lines)
    {
        string tmp = Path + ".tmp";
        File.WriteAllLines(tmp, ["# test credentials", .. lines]);
        File.Move(tmp, Path, overwrite: true);
        File.SetLastWriteTimeUtc(Path, DateTime.UtcNow.AddSeconds(Random.Shared.Next(1, 100_000)));
    }

    public void Dispose() => TestServer.TryDelete(Folder);
}

/// <summary>The credentials the security tests use, in clear (the file holds their hashes).</summary>
internal static class Tokens
{
    public const string Operator = "op-token-7b1e";
    public const string Viewer = "viewer-token-33aa";
    public const string Integration = "shop-token-9c0d";
    public const string Courier7 = "courier-7-token-51f2";
    public const string Courier8 = "courier-8-token-a0e4";
    public const string Expired = "expired-token-0000";

    public static string[] Lines() =>
    [
        TokensFile.Line(Operator, "operator", "ops-alice"),
        TokensFile.Line(Viewer, "viewer", "wallboard"),
        TokensFile.Line(Integration, "integration", "shop-system"),
        TokensFile.Line(Courier7, "courier-app", "7"),
        TokensFile.Line(Courier8, "courier-app", "8"),
        TokensFile.Line(Expired, "operator", "old-ops", DateTimeOffset.UtcNow.AddDays(-1)),
    ];

    /// <summary>Client options with a token (plaintext).</summary>
    public static DispatchClientOptions As(string token, bool subscribe = false) => new() { ClientName = "test", Token = token, Subscribe = subscribe };
}

internal static class SecureServerExtensions
{
    /// <summary>
    /// A test server that checks Hello tokens against a tokens file holding <see cref="Tokens.Lines"/>; the caller disposes
    /// both (the file may be rewritten meanwhile, to test reloads).
    /// </summary>
    public static async Task<(TestServer Server, TokensFile Tokens)> StartSecureAsync(Action<ServerOptions>? more = null)
    {
        var tokens = new TokensFile();
        tokens.Write(Tokens.Lines());
        var s = await TestServer.StartAsync(o => { o.AuthTokens = tokens.Path; more?.Invoke(o); });
        return (s, tokens);
    }

    public static Task<DispatchClient> ConnectAsync(this TestServer s, DispatchClientOptions options) =>
        DispatchClient.ConnectAsync("127.0.0.1", s.Port, options).WaitAsync(TestServer.Timeout);
}
