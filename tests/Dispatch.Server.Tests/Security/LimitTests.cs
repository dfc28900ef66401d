using System.Diagnostics;
using Dispatch.Client;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests.Security;

/// <summary>Per-connection limits: a client over its rate is slowed, then refused; in-flight and subscription caps hold.</summary>
public class LimitTests
{
    private static Task<(TestServer Server, TokensFile Tokens)> StartAsync(Action<ServerOptions> limits) => SecureServerExtensions.StartSecureAsync(limits);

    [Fact]
    public async Task A_viewer_over_its_rate_is_slowed_then_refused_and_recovers_when_it_slows_down()
    {
        var (s, tokens) = await StartAsync(o =>
        {
            var v = o.Limits["viewer"];
            v.RequestsPerSecond = 50; v.Burst = 10; v.ThrottleSeconds = 0.3;
        });
        await using var _ = s;
        using var __ = tokens;
        await using var viewer = await s.ConnectAsync(Tokens.As(Tokens.Viewer));
        var sw = Stopwatch.StartNew();
        var replies = await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => viewer.RequestAsync(Command.GetCounts(0))));
        sw.Stop();
        int answered = replies.Count(r => r is CountsMessage), limited = replies.Count(r => r is ErrorMessage { Code: ErrorCode.RateLimited });
        Assert.Equal(400, answered + limited);
        Assert.True(limited > 0, "nothing was refused");
        Assert.True(answered >= 10 + 50 * 0.3 * 0.5, $"only {answered} answered: the client should first be slowed, not refused");
        Assert.True(sw.Elapsed > TimeSpan.FromSeconds(0.25), $"400 requests in {sw.Elapsed}: not slowed");
        Assert.True(s.Server.Metrics.ThrottleWaits > 0);
        Assert.Equal(limited, s.Server.Metrics.RateLimitedCommands);

        await Task.Delay(300); // within its rate again
        await viewer.GetCountsAsync();
    }

    [Fact]
    public async Task An_operator_is_not_limited_by_default()
    {
        var (s, tokens) = await StartAsync(_ => { });
        await using var _ = s;
        using var __ = tokens;
        await using var ops = await s.ConnectAsync(Tokens.As(Tokens.Operator));
        var replies = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => ops.RequestAsync(Command.AddSite(0, i, 0, 0))));
        Assert.All(replies, r => Assert.IsType<AckMessage>(r));
        Assert.Equal(0, s.Server.Metrics.ThrottleWaits);
    }

    [Fact]
    public async Task The_in_flight_cap_holds_the_read_loop_without_losing_a_request()
    {
        var (s, tokens) = await StartAsync(o => { o.Limits["integration"].MaxInFlight = 1; o.Limits["integration"].RequestsPerSecond = 0; });
        await using var _ = s;
        using var __ = tokens;
        await using var shop = await s.ConnectAsync(Tokens.As(Tokens.Integration));
        var replies = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => shop.RequestAsync(Command.AddSite(0, i, 0, 0))));
        Assert.All(replies, r => Assert.IsType<AckMessage>(r));
        Assert.True(s.Server.Metrics.ThrottleWaits > 0, "the cap never made the read loop wait");
    }

    [Fact]
    public async Task A_credential_may_hold_only_its_role_s_subscriptions()
    {
        var (s, tokens) = await StartAsync(o => o.Limits["viewer"].MaxSubscriptions = 1);
        await using var _ = s;
        using var __ = tokens;
        var first = await s.ConnectAsync(Tokens.As(Tokens.Viewer, subscribe: true));
        var ex = await Assert.ThrowsAsync<DispatchRequestException>(() => s.ConnectAsync(Tokens.As(Tokens.Viewer, subscribe: true)));
        Assert.Equal(ErrorCode.RateLimited, ex.Error.Code);
        await using var second = await s.ConnectAsync(Tokens.As(Tokens.Viewer));
        Assert.Equal(ErrorCode.RateLimited, Assert.IsType<ErrorMessage>(await second.RequestAsync(Command.Subscribe(0, true))).Code);

        await first.DisposeAsync(); // its subscription is released when its read loop ends
        var sw = Stopwatch.StartNew();
        while (await second.RequestAsync(Command.Subscribe(0, true)) is ErrorMessage { Code: ErrorCode.RateLimited })
        {
            Assert.True(sw.Elapsed < TestServer.Timeout, "the first connection's subscription was never released");
            await Task.Delay(20);
        }
    }
}
