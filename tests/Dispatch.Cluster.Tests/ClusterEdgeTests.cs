using System.Collections.Concurrent;
using Dispatch.Client;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;
using ErrorCode = Dispatch.Protocol.ErrorCode;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// The sidecar protocol over TCP at every silo (the server's own front end), each connection bound to the region its
/// Hello names: any silo reaches any region, the single-region Hello works with a default region, and a Hello naming no
/// or an unknown region is refused naming the field. Silos as Dispatch.Cluster runs them, over a real Redis.
/// </summary>
public sealed class ClusterEdgeTests
{
    [SkippableFact]
    public async Task Connections_to_any_silo_reach_the_region_their_hello_names()
    {
        await using var silos = RedisSilos.Fresh(defaultRegion: "north");
        var a = await silos.StartSiloAsync();
        var b = await silos.StartSiloAsync();
        var edgeA = RedisSilos.Edge(a);
        var edgeB = RedisSilos.Edge(b);

        await using var north = await DispatchClient.ConnectAsync("127.0.0.1", edgeA.Port, new DispatchClientOptions { Region = "north", Subscribe = true });
        await using var south = await DispatchClient.ConnectAsync("127.0.0.1", edgeB.Port, new DispatchClientOptions { Region = "south" });
        Assert.Equal(ClockMode.Manual, north.Server.Clock);
        var pushes = new ConcurrentQueue<ServerMessage>();
        north.PushReceived += pushes.Enqueue;

        await north.AddSiteAsync(1, 1000, 1000);
        await north.CourierOnShiftAsync(7, 1200, 1000, 0, 600);
        await north.PlaceOrderAsync(70, 1, 3000, 3000, 0, 1);
        await south.AddSiteAsync(2, 1000, -1000);
        var tick = await north.TickAsync(5);
        Assert.Equal(5, tick.Now);
        // The tick's decisions arrived before its Ack.
        var assignment = Assert.Single(pushes.OfType<AssignmentMessage>());
        Assert.Equal(7, assignment.CourierId);

        // The same region through the other silo, and the old single-region Hello (the default region, north).
        await using var northViaB = await DispatchClient.ConnectAsync("127.0.0.1", edgeB.Port, new DispatchClientOptions { Region = "north" });
        await using var plain = await DispatchClient.ConnectAsync("127.0.0.1", edgeB.Port);
        foreach (var c in new[] { northViaB, plain })
        {
            var order = await c.GetOrderAsync(70);
            Assert.Equal(7, order.CourierId);
            var counts = await c.GetCountsAsync();
            Assert.Equal((1, 1), (counts.Known, counts.Couriers));
        }
        Assert.Equal(0, (await south.GetCountsAsync()).Known);

        // A connection that did not subscribe gets its Tick's Ack and no pushes, as on the sidecar; the decisions are made all the same.
        var southPushes = new ConcurrentQueue<ServerMessage>();
        south.PushReceived += southPushes.Enqueue;
        await south.CourierOnShiftAsync(8, 1200, -1000, 0, 600);
        await south.PlaceOrderAsync(80, 2, 3000, -3000, 0, 1);
        await south.TickAsync(5);
        Assert.Empty(southPushes);
        Assert.Equal(8, (await south.GetOrderAsync(80)).CourierId);

        // A region's own refusal, as the sidecar's, through the edge.
        await RefusedAsync(() => south.AddSiteAsync(3, 1000, 1000), ErrorCode.InvalidValue, "outside region 'south'");
    }

    [SkippableFact]
    public async Task A_hello_with_an_unknown_region_or_none_without_a_default_is_refused_naming_the_field()
    {
        await using var silos = RedisSilos.Fresh();
        var edge = RedisSilos.Edge(await silos.StartSiloAsync());

        await RefusedAsync(() => DispatchClient.ConnectAsync("127.0.0.1", edge.Port, new DispatchClientOptions { Region = "atlantis" }),
            ErrorCode.UnknownId, "Hello field region", "'atlantis'");
        await RefusedAsync(() => DispatchClient.ConnectAsync("127.0.0.1", edge.Port), ErrorCode.InvalidValue, "no default region");
    }

    /// <summary>The request is refused with <paramref name="code"/>, the message naming each of <paramref name="mentions"/>.</summary>
    private static async Task RefusedAsync(Func<Task> request, ErrorCode code, params string[] mentions)
    {
        var e = await Assert.ThrowsAsync<DispatchRequestException>(request);
        Assert.Equal(code, e.Code);
        foreach (string m in mentions) Assert.Contains(m, e.Message);
    }

    [SkippableFact]
    public async Task A_couriers_commands_sent_to_its_old_region_reach_the_region_that_holds_it()
    {
        await using var silos = RedisSilos.Fresh();
        var edge = RedisSilos.Edge(await silos.StartSiloAsync());
        await silos.StartClientAsync();
        await using var north = await DispatchClient.ConnectAsync("127.0.0.1", edge.Port, new DispatchClientOptions { Region = "north" });
        await using var south = await DispatchClient.ConnectAsync("127.0.0.1", edge.Port, new DispatchClientOptions { Region = "south" });
        await north.AddSiteAsync(1, 1000, 1000);
        await south.AddSiteAsync(2, 1000, -1000);
        await north.CourierOnShiftAsync(7, 1000, 1200, 0, 600);
        await north.TickAsync(1);
        await south.TickAsync(1);
        await north.UpdateCourierPositionAsync(7, 1000, -2000);
        var round = await new Dispatch.Cluster.Handoff.HandoffCoordinator(silos.Client, ["north", "south"]).RunAsync();
        Assert.Equal("south", Assert.Single(round.Adopted).To);

        // The client still sends the courier's commands to north: the edge takes north's CourierMoved refusal and re-sends
        // them to south, whose answer the client gets.
        await north.UpdateCourierPositionAsync(7, 1500, -2500);
        var there = await south.GetCourierAsync(7);
        Assert.True(there.OnShift);
        Assert.Equal((1500.0, -2500.0), (there.FreeX, there.FreeY));
        Assert.False((await north.GetCourierAsync(7)).OnShift);
        // South's own refusals come back as south's.
        var again = await Assert.ThrowsAsync<DispatchRequestException>(() => north.CourierOnShiftAsync(7, 1000, -1500, 0, 600));
        Assert.Contains("already on a shift", again.Message);
        await north.CourierOffShiftAsync(7);
        Assert.False((await south.GetCourierAsync(7)).OnShift);
    }
}
