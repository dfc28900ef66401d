using Dispatch.Client;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests.Security;

/// <summary>Hello's token against the tokens file, over real sockets: refused credentials get one Unauthenticated error, then the close.</summary>
public class AuthenticationTests
{
    // A fast credential sweep: a revoked or expired token's live connection is closed within the tests' patience.
    private static Task<(TestServer Server, TokensFile Tokens)> StartAsync(Action<ServerOptions>? more = null) =>
        SecureServerExtensions.StartSecureAsync(o => { o.CredentialSweepInterval = TimeSpan.FromMilliseconds(100); more?.Invoke(o); });

    private static async Task<ErrorMessage> RefusedHelloAsync(TestServer s, string? token)
    {
        using var raw = await s.RawAsync();
        await raw.SendAsync(Command.Hello(1, "intruder", false, token: token));
        var all = await raw.ReadUntilClosedAsync();
        var e = Assert.IsType<ErrorMessage>(Assert.Single(all));
        Assert.Equal(ErrorCode.Unauthenticated, e.Code);
        Assert.Equal(1u, e.RequestId);
        return e;
    }

    [Fact]
    public async Task Hello_without_a_token_is_refused_and_closed()
    {
        var (s, tokens) = await StartAsync();
        await using var _ = s;
        using var __ = tokens;
        var e = await RefusedHelloAsync(s, null);
        Assert.Contains("requires a bearer token", e.Message);
        Assert.Equal(1, s.Server.Metrics.AuthFailures);
        // The .NET client reports it as a refused request.
        var ex = await Assert.ThrowsAsync<DispatchRequestException>(() => s.ConnectAsync(new DispatchClientOptions()));
        Assert.Equal(ErrorCode.Unauthenticated, ex.Error.Code);
    }

    [Theory]
    [InlineData("guessed-token", "unknown or revoked")]
    [InlineData(Tokens.Expired, "expired")]
    public async Task A_wrong_or_expired_token_is_refused_saying_which_without_echoing_it(string token, string why)
    {
        var (s, tokens) = await StartAsync();
        await using var _ = s;
        using var __ = tokens;
        var e = await RefusedHelloAsync(s, token);
        Assert.Contains(why, e.Message);
        Assert.DoesNotContain(token, e.Message);
    }

    [Fact]
    public async Task A_valid_token_opens_the_session()
    {
        var (s, tokens) = await StartAsync();
        await using var _ = s;
        using var __ = tokens;
        await using var c = await s.ConnectAsync(Tokens.As(Tokens.Operator));
        await c.AddSiteAsync(1, 0, 0);
        Assert.Equal(0, s.Server.Metrics.AuthFailures);
    }

    [Fact]
    public async Task A_revoked_token_is_refused_from_then_on_and_its_live_connection_closed()
    {
        var (s, tokens) = await StartAsync();
        await using var _ = s;
        using var __ = tokens;
        await using var live = await s.ConnectAsync(Tokens.As(Tokens.Integration));
        await using var other = await s.ConnectAsync(Tokens.As(Tokens.Operator));
        await live.AddSiteAsync(1, 0, 0);

        tokens.Write(Tokens.Lines().Where(l => !l.Contains("shop-system", StringComparison.Ordinal)).ToArray());

        // A new connection with it is refused at once (the file is re-read at every Hello)...
        var e = await RefusedHelloAsync(s, Tokens.Integration);
        Assert.Contains("unknown or revoked", e.Message);
        // ... and the sweep closes the one already open, with one Unauthenticated error naming the credential.
        await live.Completion.WaitAsync(TestServer.Timeout);
        Assert.Equal(ErrorCode.Unauthenticated, live.ConnectionError?.Code);
        Assert.Contains("shop-system", live.ConnectionError!.Message);
        Assert.Equal(1, s.Server.Metrics.Revocations);
        // Other credentials are untouched.
        await other.AddSiteAsync(2, 0, 0);
    }

    [Fact]
    public async Task A_broken_tokens_file_on_reload_keeps_the_previous_credentials()
    {
        var (s, tokens) = await StartAsync();
        await using var _ = s;
        using var __ = tokens;
        tokens.Write("this line is not a credential");
        await using var c = await s.ConnectAsync(Tokens.As(Tokens.Operator));
        await c.PingAsync();
    }

    [Fact]
    public void Listening_beyond_loopback_without_authentication_is_refused_at_start()
    {
        var o = new ServerOptions { Address = "0.0.0.0", DataDirectory = "unused" };
        var ex = Assert.Throws<ArgumentException>(o.Validate);
        Assert.Contains("--auth-tokens", ex.Message);
        new ServerOptions { Address = "0.0.0.0", DataDirectory = "unused", AllowUnauthenticated = true }.Validate();
        new ServerOptions { Address = "0.0.0.0", DataDirectory = "unused", AuthTokens = "tokens.txt" }.Validate();
    }

    [Fact]
    public async Task Loopback_without_options_still_allows_everything()
    {
        await using var s = await TestServer.StartAsync();
        await using var c = await s.ConnectAsync();
        await c.AddSiteAsync(1, 0, 0);
        await c.TickAsync(1);
    }
}
