using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;

namespace Dispatch.Cluster.Tests;

/// <summary>Requests reach the grain of the region they name, and each region answers exactly as a lone engine would.</summary>
public sealed class RegionRoutingTests
{
    [Fact]
    public async Task Each_region_holds_only_what_was_sent_to_it_and_answers_as_a_lone_engine()
    {
        var store = new InMemoryRegionStore();
        await using var kit = await ClusterKit.StartAsync(store, silos: 2);
        var north = Scenario.Hour(0, 0, idBase: 0, orders: 30);
        var south = Scenario.Hour(0, -10000, idBase: 50_000, orders: 12);
        var refNorth = await ReferenceRegion.CreateAsync("north");
        var refSouth = await ReferenceRegion.CreateAsync("south");

        // Interleaved, as two regions' traffic would be.
        for (int i = 0; i < Math.Max(north.Count, south.Count); i++)
        {
            if (i < north.Count) Assert.Equal(refNorth.Execute(north[i]), await kit.Region("north").Execute(Frames.Payload(north[i])));
            if (i < south.Count) Assert.Equal(refSouth.Execute(south[i]), await kit.Region("south").Execute(Frames.Payload(south[i])));
        }

        var n = Assert.IsType<CountsMessage>(Assert.Single(await kit.Send("north", Command.GetCounts(1))));
        var s = Assert.IsType<CountsMessage>(Assert.Single(await kit.Send("south", Command.GetCounts(1))));
        Assert.Equal(30, n.Known);
        Assert.Equal(12, s.Known);
        Assert.True(n.Assigned + n.PickedUp + n.Delivered > 0, "the north region's ticks assigned nothing");
        // A north order is unknown to south.
        var info = Assert.IsType<OrderInfoMessage>(Assert.Single(await kit.Send("south", Command.GetOrder(2, 1000))));
        Assert.Equal(WireOrderStatus.Unknown, info.Status);
        Assert.Equal(north.Count(c => c.IsEngineEvent), (await kit.Region("north").Status()).Sequence);
        Assert.Equal(store.Head("north"), (await kit.Region("north").Status()).Sequence);
    }

    [Fact]
    public async Task A_tick_answers_with_its_decisions_as_pushes_before_its_ack()
    {
        await using var kit = await ClusterKit.StartAsync(new InMemoryRegionStore(), silos: 1);
        await kit.Send("north", Command.AddSite(1, 1, 1000, 1000));
        await kit.Send("north", Command.CourierOnShift(2, 7, 1200, 1000, 0, 600));
        await kit.Send("north", Command.PlaceOrder(3, 70, 1, 3000, 3000, 0, 1));
        var answer = await kit.Send("north", Command.Tick(4, 5));
        var push = Assert.IsType<AssignmentMessage>(answer[0]);
        Assert.Equal(7, push.CourierId);
        Assert.Contains(push.Stops, s => s.OrderId == 70);
        var ack = Assert.IsType<AckMessage>(answer[^1]);
        Assert.Equal(4u, ack.RequestId);
        Assert.Equal(5, ack.Now);
    }
}
