using Dispatch.Traffic;

namespace Dispatch.Core.Tests.Traffic;

/// <summary>
/// <see cref="TrafficModel.RemoveEnded"/>: a model fed traffic events for months holds only those still to come or
/// under way, and forgetting the ended ones changes no travel time and reports no change of its own.
/// </summary>
[Collection(AllocationCollection.Name)]
public class TrafficExpiryTests
{
    [Fact]
    public void Ended_definitions_are_forgotten_without_changing_travel_or_reporting_a_change()
    {
        var m = TrafficModelTests.NewModel();
        m.AddZone(new CongestionZone(TrafficModelTests.Box(0, 0, 5000, 10_000), 0.5, 0, 10, "west, 0-10"));
        m.AddZone(new CongestionZone(TrafficModelTests.Box(5000, 0, 10_000, 10_000), 0.25, 0, double.PositiveInfinity, "east, always"));
        m.AddClosure(new RoadClosure(TrafficModelTests.Line(2500, 0, 2500, 10_000), 5, 20, "closure 5-20"));
        m.AddCitywideFactor(0.8, 0, 30);
        Assert.True(m.Update(0));

        Assert.Equal(0, m.RemoveEnded(9));
        Assert.True(m.Update(10));                    // the west zone ended at 10
        double mean = m.MeanSlowness(100, 100, 9900, 9900, out int crossed);
        Assert.Equal(1, m.RemoveEnded(10));
        Assert.Equal((1, 1), (m.Zones.Count, m.Closures.Count));
        Assert.False(m.Update(10));                   // nothing active changed
        Assert.False(m.Update(15));
        Assert.Equal(mean, m.MeanSlowness(100, 100, 9900, 9900, out int crossedAfter));
        Assert.Equal(crossed, crossedAfter);

        Assert.True(m.Update(25));                    // the closure ended at 20
        Assert.Equal(1, m.RemoveEnded(25));
        Assert.False(m.Update(26));                   // forgetting it is no change
        Assert.True(m.Update(30));                    // rain ended
        Assert.Equal(1, m.RemoveEnded(30));
        Assert.Single(m.Zones);
        Assert.Empty(m.Closures);
        Assert.False(m.Update(1e6));
        Assert.Equal(0.25, m.SpeedFactorAt(7000, 5000), 5); // the zone that never ends, no rain left
        Assert.Equal(1.0, m.SpeedFactorAt(2000, 5000), 5);
    }

    [Fact]
    public void A_month_of_short_events_leaves_only_the_current_ones_and_forgetting_allocates_nothing()
    {
        var m = TrafficModelTests.NewModel();
        long bytes = 0;
        for (int minute = 0; minute < 30 * 24 * 60; minute += 30)
        {
            m.AddZone(new CongestionZone(TrafficModelTests.Box(1000, 1000, 3000, 3000), 0.5, minute, minute + 45, $"jam {minute}"));
            m.AddCitywideFactor(0.9, minute, minute + 20);
            m.Update(minute);
            long before = GC.GetAllocatedBytesForCurrentThread();
            m.RemoveEnded(minute);
            bytes += GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(m.Zones.Count <= 2, $"{m.Zones.Count} zones held at minute {minute}");
        }
        Assert.Equal(0, bytes);
    }
}
