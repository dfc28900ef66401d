using Dispatch.Planning;
using Dispatch.State;

namespace Dispatch.Core.Tests;

/// <summary>Planned times along a route under the MDRP conventions.</summary>
public class RouteTimingTests
{
    // 1 metre per minute: travel minutes = ceil(metres).
    private static EuclideanCeilMinutes Travel = new(1);

    private static RouteStop Pickup(int order, double x, double y) => new() { Order = order, Kind = StopKind.Pickup, X = x, Y = y };
    private static RouteStop Drop(int order, double x, double y) => new() { Order = order, Kind = StopKind.Dropoff, X = x, Y = y };

    /// <summary>A stop's planned times in route order: departure for it, arrival, service start, leaving.</summary>
    private static (double Departure, double Arrival, double ServiceAt, double Leave) Times(in RouteStop s) => (s.Departure, s.Arrival, s.ServiceAt, s.Leave);

    [Fact]
    public void A_bundle_is_picked_up_at_the_latest_ready_time_or_arrival_plus_half_service()
    {
        // Courier at (0, 0) free at 100; site at (10, 0); orders 0 and 1 ready at 105 and 117.
        var stops = new[] { Pickup(0, 10, 0), Pickup(1, 10, 0), Drop(0, 10, 20), Drop(1, 40, 20) };
        double[] ready = [105, 117];
        RouteTiming.Retime(ref Travel, stops, 0, 0, 0, 100, new StopTimes(ready, pickupService: 4, dropoffService: 6));

        foreach (var p in stops.AsSpan(0, 2))
        {
            // Service at max(105, 117, 110 + 2), leaving after half the pickup service.
            Assert.Equal((100.0, 110.0, 117.0, 119.0), Times(p));
        }
        Assert.Equal((119.0, 139.0, 142.0, 145.0), Times(stops[2]));   // service at arrival + half the drop-off service
        Assert.Equal((145.0, 175.0, 178.0, 181.0), Times(stops[3]));
    }

    [Fact]
    public void When_the_orders_are_ready_the_pickup_is_arrival_plus_half_service()
    {
        var stops = new[] { Pickup(0, 10, 0), Pickup(1, 10, 0), Drop(1, 10, 5), Drop(0, 10, 8) };
        RouteTiming.Retime(ref Travel, stops, 0, 0, 0, 100, new StopTimes([50, 90], pickupService: 5, dropoffService: 3));
        Assert.Equal(112.5, stops[0].ServiceAt);
        Assert.Equal(112.5, stops[1].ServiceAt);
        Assert.Equal(115, stops[1].Leave);
        Assert.Equal(120, stops[2].Arrival);
        Assert.Equal(121.5, stops[2].ServiceAt);
        Assert.Equal(123, stops[2].Leave);
        Assert.Equal(126, stops[3].Arrival);    // 3 m: 3 minutes
        Assert.Equal(127.5, stops[3].ServiceAt);
    }

    [Fact]
    public void Pickups_at_different_places_are_separate_services()
    {
        var stops = new[] { Pickup(0, 10, 0), Pickup(1, 10, 7), Drop(0, 0, 7), Drop(1, 0, 0) };
        RouteTiming.Retime(ref Travel, stops, 0, 0, 0, 0, new StopTimes([0, 30], pickupService: 4, dropoffService: 4));
        Assert.Equal((0.0, 10.0, 12.0, 14.0), Times(stops[0]));
        Assert.Equal((14.0, 21.0, 30.0, 32.0), Times(stops[1]));
        Assert.Equal((32.0, 42.0, 44.0, 46.0), Times(stops[2]));
        Assert.Equal((46.0, 53.0, 55.0, 57.0), Times(stops[3]));
    }

    [Fact]
    public void Retiming_from_an_index_leaves_earlier_stops_untouched()
    {
        var stops = new[] { Pickup(0, 10, 0), Drop(0, 20, 0), Pickup(1, 20, 30), Drop(1, 0, 30) };
        stops[0].ServiceAt = -1; stops[1].ServiceAt = -2; stops[1].Leave = 77;
        RouteTiming.Retime(ref Travel, stops, 2, 20, 0, 77, new StopTimes([0, 0], pickupService: 2, dropoffService: 2));
        Assert.Equal(-1, stops[0].ServiceAt);
        Assert.Equal(-2, stops[1].ServiceAt);
        Assert.Equal((77.0, 107.0, 108.0, 109.0), Times(stops[2]));
        Assert.Equal(129, stops[3].Arrival);
        Assert.Equal(130, stops[3].ServiceAt);
    }

    [Fact]
    public void Zero_service_times_and_fractional_distances()
    {
        var stops = new[] { Pickup(0, 0.5, 0), Drop(0, 0.5, 2.25) };
        RouteTiming.Retime(ref Travel, stops, 0, 0, 0, 3, new StopTimes([0], pickupService: 0, dropoffService: 0));
        Assert.Equal((3.0, 4.0, 4.0, 4.0), Times(stops[0]));
        Assert.Equal((4.0, 7.0, 7.0, 7.0), Times(stops[1]));
    }
}
