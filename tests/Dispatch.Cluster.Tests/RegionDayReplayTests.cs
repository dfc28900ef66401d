using Dispatch.Cluster.Handoff;
using Dispatch.Cluster.Regions;
using Dispatch.Cluster.Simulation;
using Dispatch.Cluster.Tests.Support;

namespace Dispatch.Cluster.Tests;

/// <summary>
/// A small day over the two regions of <see cref="Scenario.Regions"/> played through the cluster: drop-offs across the
/// border leave couriers in the other region, hand-off moves them, every order is delivered, no courier is ever in two
/// regions or in none, and borrowing (on) moves couriers too.
/// </summary>
public sealed class RegionDayReplayTests
{
    /// <summary>A kitchen on each side of the border, each sending every other order across it, four couriers a side.</summary>
    private static RegionDay Day()
    {
        var sites = new List<DaySite> { new(1, 3000, 1500), new(2, 6000, -1500) };
        var couriers = new List<DayCourier>();
        for (int k = 0; k < 4; k++)
        {
            couriers.Add(new DayCourier(100 + k, 2000 + 600 * k, 2500, 0, 300, 2));
            couriers.Add(new DayCourier(200 + k, 5000 + 600 * k, -2500, 0, 300, 2));
        }
        var orders = new List<DayOrder>();
        for (int i = 0; i < 30; i++)
        {
            double across = i % 2 == 0 ? -1 : 1;
            orders.Add(new DayOrder(1000 + i, 1, 2000 + 97 * i % 3000, across * (1500 + 61 * i % 2000), 2 + 4 * i, 10 + 4 * i));
            orders.Add(new DayOrder(2000 + i, 2, 5000 + 89 * i % 3000, -across * (1500 + 47 * i % 2000), 3 + 4 * i, 11 + 4 * i));
        }
        return new RegionDay(sites, orders, couriers);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_day_across_the_border_delivers_every_order_with_each_courier_in_exactly_one_region(bool borrowing)
    {
        await using var kit = await ClusterKit.StartAsync(new InMemoryRegionStore(), silos: 2);
        var map = RegionMap.From([.. Scenario.Regions.Select(r => new RegionDefinition { Id = r.Id, Area = r.Area })]);
        var result = await new RegionDayReplay(kit.Cluster.Client, map, new HandoffOptions { Borrowing = borrowing }).RunAsync(Day());

        Assert.True(result.Refusals == 0, string.Join("\n", result.RefusalSamples));
        Assert.Equal(100, result.DeliveredPercent);
        Assert.Equal(30, result.CrossBorderOrders);
        Assert.True(result.PositionHandoffs > 0, "no courier was handed over after a drop-off across the border");
        if (!borrowing) Assert.Equal(0, result.BorrowHandoffs);
        Assert.True(result.Audits >= 2);
        Assert.Equal(0, result.DuplicatedCouriers);
        Assert.Equal(0, result.MissingCouriers);
        Assert.Equal(0, result.MisplacedCouriers);
        await kit.AssertEachCourierOnce();
    }

    [Fact]
    public async Task A_day_with_a_bad_field_is_refused_naming_it()
    {
        await using var kit = await ClusterKit.StartAsync(new InMemoryRegionStore(), silos: 1);
        var map = RegionMap.From([.. Scenario.Regions.Select(r => new RegionDefinition { Id = r.Id, Area = r.Area })]);
        var replay = new RegionDayReplay(kit.Cluster.Client, map);
        var unknownSite = new RegionDay([new DaySite(1, 10, 10)], [new DayOrder(1, 9, 0, 0, 0, 1)], []);
        Assert.Contains("Orders[0].Site", (await Assert.ThrowsAsync<ArgumentException>(() => replay.RunAsync(unknownSite))).Message);
        var outside = new RegionDay([new DaySite(1, 50_000, 10)], [], []);
        Assert.Contains("Sites[0]: site 1 at (50000, 10) lies in no configured region", (await Assert.ThrowsAsync<ArgumentException>(() => replay.RunAsync(outside))).Message);
    }
}
