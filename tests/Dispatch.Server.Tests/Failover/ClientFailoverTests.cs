using System.Net;
using Dispatch.Client;
using Dispatch.Protocol;

namespace Dispatch.Server.Tests.Failover;

/// <summary>
/// <see cref="DispatchClient"/> with several endpoints (the silos of a cluster): on a lost connection it reconnects to the
/// next, says Hello again with the same region and subscription, fails the requests in flight at the loss as in doubt
/// (never resent, never silently dropped), and sends later requests on the new connection. Without endpoints a lost
/// connection still fails everything and closes the client.
/// </summary>
public sealed class ClientFailoverTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_lost_connection_fails_the_requests_in_flight_as_in_doubt_and_the_client_carries_on_at_the_next_endpoint()
    {
        await using var a = new FakeServer("a") { DropOn = c => c.Type == MessageType.PlaceOrder };
        await using var b = new FakeServer("b");
        var options = new DispatchClientOptions { ClientName = "app", Region = "north", Subscribe = true, Endpoints = [b.EndPoint] };
        await using var client = await DispatchClient.ConnectAsync("127.0.0.1", a.Port, options).WaitAsync(Timeout);
        var reconnected = new TaskCompletionSource<DispatchReconnect>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += r => reconnected.TrySetResult(r);
        Assert.Equal("a", client.Server.ServerName);

        await client.SubscribeAsync(false).WaitAsync(Timeout);
        await client.AddSiteAsync(1, 10, 10).WaitAsync(Timeout);
        var inDoubt = await Assert.ThrowsAsync<DispatchInDoubtException>(() => client.PlaceOrderAsync(5, 1, 20, 20, 0, 1).WaitAsync(Timeout));
        Assert.Equal(MessageType.PlaceOrder, inDoubt.Request);
        Assert.Contains("may or may not have been applied", inDoubt.Message);

        var r = await reconnected.Task.WaitAsync(Timeout);
        Assert.Equal((a.Port, b.Port, 1), (r.From.Port, r.To.Port, r.InDoubt));
        Assert.Equal(b.Port, client.EndPoint.Port);
        await client.PlaceOrderAsync(6, 1, 30, 30, 0, 1).WaitAsync(Timeout);
        Assert.Equal("b", client.Server.ServerName);
        Assert.Equal(1, client.Reconnects);

        // b heard Hello first, with the same name and region and the subscription as last asked (off), then only the new
        // order: the one in doubt was not resent.
        var atB = b.Received.ToArray();
        Assert.Equal([MessageType.Hello, MessageType.PlaceOrder], atB.Select(c => c.Type));
        Assert.Equal(("app", "north", false), (atB[0].Text, atB[0].Region, atB[0].Flag));
        Assert.Equal(6, atB[1].Id);
    }

    [Fact]
    public async Task Requests_made_while_reconnecting_wait_and_go_out_after_the_new_hello()
    {
        await using var a = new FakeServer("a");
        await using var b = new FakeServer("b");
        var options = new DispatchClientOptions { Region = "south", Endpoints = [a.EndPoint, b.EndPoint], ReconnectDelay = TimeSpan.FromMilliseconds(50) };
        await using var client = await DispatchClient.ConnectAsync(options).WaitAsync(Timeout);
        var reconnected = new TaskCompletionSource<DispatchReconnect>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += r => reconnected.TrySetResult(r);
        await client.AddSiteAsync(1, 10, 10).WaitAsync(Timeout);
        a.Stop();
        var later = Enumerable.Range(0, 20).Select(i => client.UpdateCourierPositionAsync(9, i, i)).ToArray();
        // Each either went out before the loss was seen (in doubt) or after the reconnect (acknowledged by b): none lost.
        int acked = 0, doubted = 0;
        foreach (var t in later)
        {
            try
            {
                await t.WaitAsync(Timeout);
                acked++;
            }
            catch (DispatchInDoubtException)
            {
                doubted++;
            }
        }
        Assert.Equal(20, acked + doubted);
        Assert.Equal(doubted, (await reconnected.Task.WaitAsync(Timeout)).InDoubt);
        await client.AddSiteAsync(2, 10, 10).WaitAsync(Timeout);
        acked++;
        var atB = b.Received.ToArray();
        Assert.Equal(MessageType.Hello, atB[0].Type);
        Assert.Equal(acked, atB.Count(c => c.Type is MessageType.UpdateCourierPosition or MessageType.AddSite));
    }

    [Fact]
    public async Task A_hello_answered_internal_while_the_region_moves_is_retried_and_a_refused_credential_ends_the_client()
    {
        await using var a = new FakeServer("a");
        await using var b = new FakeServer("b") { HelloError = ErrorCode.Internal };
        var options = new DispatchClientOptions { Endpoints = [a.EndPoint, b.EndPoint], ReconnectDelay = TimeSpan.FromMilliseconds(50) };
        await using var client = await DispatchClient.ConnectAsync(options).WaitAsync(Timeout);
        var reconnected = new TaskCompletionSource<DispatchReconnect>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += r => reconnected.TrySetResult(r);
        a.Stop();
        // Sent around the loss: in doubt if it left before the loss was seen, else it waits for the reconnect.
        var around = client.PlaceOrderAsync(5, 1, 20, 20, 0, 1);
        // b answers Internal (the region is being taken over): retried until it says HelloOk.
        await Task.Delay(500);
        Assert.False(reconnected.Task.IsCompleted);
        Assert.True(b.Received.Count(c => c.Type == MessageType.Hello) >= 2);
        b.HelloError = null;
        Assert.Equal(b.Port, (await reconnected.Task.WaitAsync(Timeout)).To.Port);
        try
        {
            await around.WaitAsync(Timeout);
        }
        catch (DispatchInDoubtException)
        {
        }
        await client.AddSiteAsync(1, 1, 1).WaitAsync(Timeout);

        // A refused credential is the answer, not an outage: the client closes instead of trying forever.
        await using var c = new FakeServer("c") { HelloError = ErrorCode.Unauthenticated };
        var second = new DispatchClientOptions { Endpoints = [b.EndPoint, c.EndPoint], ReconnectDelay = TimeSpan.FromMilliseconds(50) };
        await using var other = await DispatchClient.ConnectAsync(second).WaitAsync(Timeout);
        b.Stop();
        await other.Completion.WaitAsync(Timeout);
        var ex = await Assert.ThrowsAsync<DispatchConnectionException>(() => other.PingAsync().WaitAsync(Timeout));
        Assert.Contains("refused", ex.InnerException?.Message ?? ex.Message);
    }

    [Fact]
    public async Task When_no_endpoint_answers_within_the_timeout_the_client_closes_and_later_requests_fail()
    {
        await using var a = new FakeServer("a");
        await using var b = new FakeServer("b");
        var options = new DispatchClientOptions { Endpoints = [a.EndPoint, b.EndPoint], ReconnectTimeout = TimeSpan.FromSeconds(1), ReconnectDelay = TimeSpan.FromMilliseconds(50) };
        await using var client = await DispatchClient.ConnectAsync(options).WaitAsync(Timeout);
        b.Stop();
        a.Stop();
        await client.Completion.WaitAsync(Timeout);
        var ex = await Assert.ThrowsAsync<DispatchConnectionException>(() => client.PingAsync().WaitAsync(Timeout));
        Assert.Contains("no endpoint answered", ex.InnerException?.Message ?? ex.Message);
    }

    [Fact]
    public async Task Without_endpoints_a_lost_connection_fails_the_requests_and_closes_the_client_as_before()
    {
        await using var a = new FakeServer("a") { DropOn = c => c.Type == MessageType.PlaceOrder };
        await using var client = await DispatchClient.ConnectAsync("127.0.0.1", a.Port, new DispatchClientOptions()).WaitAsync(Timeout);
        await Assert.ThrowsAsync<DispatchConnectionException>(() => client.PlaceOrderAsync(5, 1, 20, 20, 0, 1).WaitAsync(Timeout));
        await client.Completion.WaitAsync(Timeout);
        await Assert.ThrowsAsync<DispatchConnectionException>(() => client.PingAsync().WaitAsync(Timeout));
        Assert.Equal(0, client.Reconnects);
    }

    [Fact]
    public async Task Endpoints_must_name_a_server()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => DispatchClient.ConnectAsync(new DispatchClientOptions()));
        Assert.Contains("DispatchClientOptions.Endpoints", ex.Message);
        var bad = new DispatchClientOptions { Endpoints = [new DnsEndPoint("127.0.0.1", 1)], ReconnectTimeout = TimeSpan.Zero };
        var timeout = await Assert.ThrowsAsync<ArgumentException>(() => DispatchClient.ConnectAsync("127.0.0.1", 2, bad));
        Assert.Contains("ReconnectTimeout", timeout.Message);
    }
}
