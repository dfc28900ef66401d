using System.Collections.Concurrent;
using System.Net.Sockets;
using Dispatch.Client;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;
using Xunit.Abstractions;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// A Tick's decisions reach every subscriber of its region, on every silo, not only the connection that ticked; never a
/// connection that did not subscribe or is bound to another region; and a subscriber that does not read is closed as a
/// slow consumer (the sidecar's rule: <c>Dispatch:MaxOutboundBytes</c>) while the others get every push.
/// </summary>
public sealed class ClusterPushTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task A_ticks_decisions_reach_every_subscriber_of_the_region_on_every_silo()
    {
        await using var silos = RedisSilos.Fresh();
        var a = RedisSilos.Edge(await silos.StartSiloAsync());
        var b = RedisSilos.Edge(await silos.StartSiloAsync());

        await using var ticker = await DispatchClient.ConnectAsync("127.0.0.1", a.Port, new DispatchClientOptions { Region = "north", Subscribe = true });
        await using var sameSilo = await DispatchClient.ConnectAsync("127.0.0.1", a.Port, new DispatchClientOptions { Region = "north", Subscribe = true });
        await using var otherSilo = await DispatchClient.ConnectAsync("127.0.0.1", b.Port, new DispatchClientOptions { Region = "north", Subscribe = true });
        await using var later = await DispatchClient.ConnectAsync("127.0.0.1", b.Port, new DispatchClientOptions { Region = "north" });
        await using var notSubscribed = await DispatchClient.ConnectAsync("127.0.0.1", b.Port, new DispatchClientOptions { Region = "north" });
        await using var otherRegion = await DispatchClient.ConnectAsync("127.0.0.1", b.Port, new DispatchClientOptions { Region = "south", Subscribe = true });
        var seen = new Dictionary<DispatchClient, ConcurrentQueue<ServerMessage>>();
        foreach (var c in new[] { ticker, sameSilo, otherSilo, later, notSubscribed, otherRegion })
        {
            var q = new ConcurrentQueue<ServerMessage>();
            c.PushReceived += q.Enqueue;
            seen[c] = q;
        }
        await later.SubscribeAsync(true);

        await ticker.AddSiteAsync(1, 1000, 1000);
        for (int k = 0; k < 4; k++) await ticker.CourierOnShiftAsync(10 + k, 1200 + 300 * k, 1000, 0, 600);
        for (int i = 0; i < 6; i++) await ticker.PlaceOrderAsync(100 + i, 1, 3000 + 200 * i, 3000, 0, 1);
        await ticker.TickAsync(5);
        var expected = seen[ticker].ToArray();
        Assert.NotEmpty(expected.OfType<AssignmentMessage>());

        // Other silos get them one-way after the Ack: wait for them to arrive, then compare in order.
        foreach (var c in new[] { sameSilo, otherSilo, later })
            await WaitUntil(() => seen[c].Count >= expected.Length, $"{seen[c].Count} of {expected.Length} pushes");
        foreach (var c in new[] { sameSilo, otherSilo, later })
            Assert.Equal(expected.Select(Describe), seen[c].Select(Describe));

        // Subscribe off: no more pushes for that connection; a tick in another region reaches only that region's subscribers.
        await otherSilo.SubscribeAsync(false);
        await using var south = await DispatchClient.ConnectAsync("127.0.0.1", a.Port, new DispatchClientOptions { Region = "south" });
        await south.AddSiteAsync(2, 1000, -1000);
        await south.CourierOnShiftAsync(20, 1200, -1000, 0, 600);
        await south.PlaceOrderAsync(200, 2, 3000, -3000, 0, 1);
        await south.TickAsync(5);
        await WaitUntil(() => !seen[otherRegion].IsEmpty, "the south subscriber's push");
        for (int i = 0; i < 3; i++) await ticker.PlaceOrderAsync(110 + i, 1, 2000, 4000 + 100 * i, 5, 6);
        await ticker.TickAsync(8);
        await WaitUntil(() => seen[later].Count > expected.Length, "the second tick's pushes");
        await Task.Delay(300); // one-way pushes that should not come would have come by now
        Assert.Equal(expected.Length, seen[otherSilo].Count);
        Assert.Empty(seen[notSubscribed]);
        Assert.All(seen[otherRegion].OfType<AssignmentMessage>(), m => Assert.Equal(20, m.CourierId));
        Assert.Equal(seen[ticker].Select(Describe), seen[later].Select(Describe));
    }

    [SkippableFact]
    public async Task A_subscriber_whose_silo_stops_reconnects_to_another_and_gets_the_pushes_of_later_ticks()
    {
        await using var silos = RedisSilos.Fresh();
        var hostA = await silos.StartSiloAsync();
        var a = RedisSilos.Edge(hostA);
        var b = RedisSilos.Edge(await silos.StartSiloAsync());
        var c = RedisSilos.Edge(await silos.StartSiloAsync());

        var options = new DispatchClientOptions { Region = "north", Subscribe = true, Endpoints = [new System.Net.DnsEndPoint("127.0.0.1", b.Port)] };
        await using var subscriber = await DispatchClient.ConnectAsync("127.0.0.1", a.Port, options);
        var pushes = new ConcurrentQueue<ServerMessage>();
        subscriber.PushReceived += pushes.Enqueue;
        var reconnected = new TaskCompletionSource<DispatchReconnect>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.Reconnected += r => reconnected.TrySetResult(r);
        await using var ticker = await DispatchClient.ConnectAsync("127.0.0.1", c.Port, new DispatchClientOptions { Region = "north" });

        await ticker.AddSiteAsync(1, 1000, 1000);
        for (int k = 0; k < 4; k++) await ticker.CourierOnShiftAsync(10 + k, 1200 + 300 * k, 1000, 0, 600, 2);
        await ticker.PlaceOrderAsync(100, 1, 3000, 3000, 0, 1);
        await ticker.TickAsync(5);
        await WaitUntil(() => pushes.OfType<AssignmentMessage>().Any(), "the first tick's assignment");

        // The subscriber's silo stops: its client reconnects to b and says Hello again, subscribed.
        await silos.StopAsync(hostA);
        var r = await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(b.Port, r.To.Port);
        // If the region moved off the stopped silo, its new activation has the silos' subscriptions back at their next
        // renewal (Cluster:SubscriptionRefreshSeconds, 1 s: docs/cluster.md, "Pushes"); while the stopped silo shuts down,
        // calls to its activations wait for it. So a new order and tick every 300 ms until an assignment arrives.
        var resumed = System.Diagnostics.Stopwatch.StartNew();
        int before = pushes.Count;
        long order = 101;
        double t = 8;
        while (!pushes.Skip(before).OfType<AssignmentMessage>().Any())
        {
            Assert.True(order < 101 + 60, "no assignment reached the reconnected subscriber in 60 ticks (about 20 s)");
            await ticker.PlaceOrderAsync(order, 1, 2500, 4000 + order, t - 2, t - 1);
            await ticker.TickAsync(t);
            order++;
            t += 1;
            await Task.Delay(300);
        }
        output.WriteLine($"pushes resumed {resumed.Elapsed.TotalSeconds:F2} s after the reconnect, at the {order - 101}th tick after it");
        Assert.Equal(order - 100, (await subscriber.GetCountsAsync()).Known);
    }

    [SkippableFact]
    public async Task A_subscriber_that_does_not_read_is_closed_as_a_slow_consumer_and_the_others_get_every_push()
    {
        await using var silos = RedisSilos.Fresh(defaultRegion: null,
            "--Dispatch:MaxOutboundBytes=16384", "--Dispatch:SocketSendBufferBytes=4096");
        var a = RedisSilos.Edge(await silos.StartSiloAsync());
        var b = RedisSilos.Edge(await silos.StartSiloAsync());

        // The slow one: subscribes on silo b and never reads (small kernel buffers, so our queue fills soon).
        using var slow = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await slow.ConnectAsync("127.0.0.1", b.Port);
        var hello = new FrameBuffer();
        CommandCodec.WriteFrame(hello, Command.Hello(1, "slow", true) with { Region = "north" });
        await slow.SendAsync(hello.WrittenMemory, SocketFlags.None);

        await using var good = await DispatchClient.ConnectAsync("127.0.0.1", b.Port, new DispatchClientOptions { Region = "north", Subscribe = true });
        int goodPushes = 0;
        good.PushReceived += _ => Interlocked.Increment(ref goodPushes);
        await using var ticker = await DispatchClient.ConnectAsync("127.0.0.1", a.Port, new DispatchClientOptions { Region = "north", Subscribe = true });
        int tickerPushes = 0;
        ticker.PushReceived += _ => Interlocked.Increment(ref tickerPushes);

        await ticker.AddSiteAsync(1, 5000, 5000);
        var pending = new List<Task>();
        for (int round = 0; round < Rounds; round++)
        {
            for (int k = 0; k < 200; k++)
            {
                int id = round * 200 + k;
                pending.Add(ticker.CourierOnShiftAsync(10_000 + id, 100 + 8 * (id % 1000), 100 + 9 * (id / 10 % 1000), 0, 900, 1));
                pending.Add(ticker.PlaceOrderAsync(id + 1, 1, 200 + 7 * (id % 1000), 9000 - 6 * (id % 1000), round, round + 1));
            }
            pending.Add(ticker.TickAsync(round + 1));
            await Task.WhenAll(pending);
            pending.Clear();
        }
        await WaitUntil(() => Volatile.Read(ref goodPushes) >= tickerPushes, $"{goodPushes} of {tickerPushes} pushes at the reading subscriber");
        Assert.Equal(tickerPushes, Volatile.Read(ref goodPushes));

        // The slow one was closed: reading drains what the kernel held, then meets the end of the stream (a socket the
        // server kept open would leave this read waiting until the timeout fails the test).
        long bytes = 0;
        var buffer = new byte[65536];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            int n = await slow.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0) break;
            bytes += n;
        }
        Assert.True(bytes < 16384 + 256 * 1024, $"the slow subscriber read {bytes} bytes");
        // The region and the silo keep serving.
        Assert.Equal(Rounds * 200, (await good.GetCountsAsync()).Known);
    }

    private const int Rounds = 20;

    private static string Describe(ServerMessage m) => m switch
    {
        AssignmentMessage a => $"A {a.CourierId} {a.AssignedAt} {a.Stops.Length}",
        PlanChangeMessage p => $"P {p.Kind} {p.OrderId} {p.CourierId} {p.At}",
        _ => m.Type.ToString(),
    };

    private static Task WaitUntil(Func<bool> done, string what) => WaitUntil(() => Task.FromResult(done()), what);

    private static async Task WaitUntil(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("timed out waiting for " + what);
            await Task.Delay(20);
        }
    }
}
