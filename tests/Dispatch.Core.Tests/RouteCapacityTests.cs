namespace Dispatch.Core.Tests;

/// <summary>
/// Couriers whose stops are never confirmed: their routes fill up, and the planners must stop offering them bundles at
/// MaxRouteStops. Before the bound, a route grew past it and its stops ran into the next courier's slice of the stop
/// pool (a snapshot of that state was then refused at load: "26 route stops, more than 24"). Found by the cluster's
/// kill test (docs/cluster.md).
/// </summary>
public class RouteCapacityTests
{
    [Theory]
    [InlineData(DispatchProfile.Mdrp)]
    [InlineData(DispatchProfile.Reyes)]
    [InlineData(DispatchProfile.Greedy)]
    public void Unconfirmed_routes_stop_at_the_route_limit_and_the_state_still_snapshots(DispatchProfile profile)
    {
        var options = new DispatchOptions { Profile = profile };
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), options);
        e.AddSite(1, 0, 0);
        for (int c = 0; c < 4; c++) e.CourierOnShift(new CourierShift(100 + c, 100 * c, 50, 0, 24 * 60, Capacity: 3), 0);
        long id = 1;
        var sink = new CountingSink();
        for (int cycle = 0; cycle < 40; cycle++)
        {
            double now = cycle * 10;
            for (int k = 0; k < 10; k++, id++) e.PlaceOrder(new OrderRequest(id, 1, 500 + 37 * k, 800 - 23 * k, now, now + 5), now);
            for (int m = 0; m < 10; m++) e.Tick(now + m, ref sink); // nobody confirms a pickup or a drop-off
            for (int c = 0; c < 4; c++)
            {
                Assert.True(e.TryGetCourier(100 + c, out var v));
                Assert.True(v.PlannedStops <= options.MaxRouteStops, $"{profile}, cycle {cycle}: courier {100 + c} holds {v.PlannedStops} stops, more than {options.MaxRouteStops}");
            }
        }
        Assert.True(sink.Assignments > 0);

        using var ms = new MemoryStream();
        e.SaveSnapshot(ms);
        ms.Position = 0;
        var restored = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(ms, new EuclideanCeilMinutes(320), options);
        Assert.Equal(e.Counts, restored.Counts);
    }

    private struct CountingSink : IAssignmentSink
    {
        public int Assignments;
        public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) => Assignments++;
        public readonly void OnPlanChange(in PlanChange change) { }
    }
}
