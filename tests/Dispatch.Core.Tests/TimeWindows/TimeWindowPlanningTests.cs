namespace Dispatch.Core.Tests.TimeWindows;

/// <summary>
/// The general profile honours per-order time windows as hard constraints and per-order service minutes;
/// the Mdrp and Greedy profiles decide exactly as without them. 320 m/min: <see cref="TestSpeed.Min"/> metres is one
/// minute; default services 4 and 4 (halves of 2).
/// </summary>
public class TimeWindowPlanningTests
{
    /// <summary>A General engine with site 1 at the origin and courier 10 at <paramref name="courierX"/> on shift until 300,
    /// and the sink its ticks report to (its <see cref="RecordingSink.Recorder"/> holds what they reported).</summary>
    private static (DispatchEngine<EuclideanCeilMinutes> E, RecordingSink Sink) General(double courierX = 0)
    {
        var e = EngineFactory.Create(DispatchProfile.General);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, courierX, 0, 0, 300), 0);
        return (e, new RecordingSink(new Recorder()));
    }

    [Fact]
    public void A_deliver_by_reorders_the_route_against_the_cheaper_sequence()
    {
        foreach (bool window in new[] { false, true })
        {
            var (e, sink) = General();
            // A: 10 minutes east. B: 30 minutes west. Cheapest: A first (B dropped at 60); B's window says B by 40.
            e.PlaceOrder(new OrderRequest(1, 1, 10 * Min, 0, 0, 0), 0);
            e.PlaceOrder(new OrderRequest(2, 1, -30 * Min, 0, 0, 0, DeliverBy: window ? 40 : double.PositiveInfinity), 0);
            e.Tick(0, ref sink);
            var route = e.Route(10);
            Assert.Equal(4, route.Length);
            var drops = route.Where(s => s.Kind == StopKind.Dropoff).Select(s => s.OrderId).ToArray();
            Assert.Equal(window ? new long[] { 2, 1 } : [1, 2], drops);
            if (window)
            {
                Assert.Equal(36, route.Single(s => s.OrderId == 2 && s.Kind == StopKind.Dropoff).ServiceAt);
                Assert.Equal(36, e.Order(2).PlannedDropoff);
            }
        }
    }

    [Theory]
    [InlineData(45, false)]   // the only courier would drop it at 46: it stays open
    [InlineData(46, true)]
    public void An_order_no_courier_can_deliver_in_time_stays_open(double deliverBy, bool assigned)
    {
        // The courier is 30 minutes from the site: pickup 32, drop 10 minutes later at 46.
        var (e, sink) = General(courierX: -30 * Min);
        e.PlaceOrder(new OrderRequest(1, 1, 10 * Min, 0, 0, 0, DeliverBy: deliverBy), 0);
        for (int t = 0; t <= 5; t++) e.Tick(t, ref sink);
        Assert.Equal(assigned ? OrderStatus.Assigned : OrderStatus.Open, e.GetOrderStatus(1));
        if (assigned) Assert.Equal(46, e.Order(1).PlannedDropoff);
        else Assert.Empty(sink.Recorder.Assignments);
    }

    [Theory]
    [InlineData(31.9, false)]
    [InlineData(32, true)]
    public void A_pickup_by_is_a_hard_limit(double pickupBy, bool assigned)
    {
        var (e, sink) = General(courierX: -30 * Min);
        e.PlaceOrder(new OrderRequest(1, 1, 10 * Min, 0, 0, 0, PickupBy: pickupBy), 0);
        e.Tick(0, ref sink);
        Assert.Equal(assigned ? OrderStatus.Assigned : OrderStatus.Open, e.GetOrderStatus(1));
        if (assigned) Assert.Equal(32, e.Order(1).PlannedPickup);
    }

    [Fact]
    public void A_courier_early_for_the_drop_off_waits_for_deliver_after()
    {
        var (e, sink) = General();
        e.PlaceOrder(new OrderRequest(1, 1, 10 * Min, 0, 0, 0, DeliverAfter: 30), 0);
        e.Tick(0, ref sink);
        var drop = e.Route(10).Single(s => s.Kind == StopKind.Dropoff);
        // Pickup at 2, leaves at 4, arrives at 14, waits: the drop-off instant is 30, it leaves half a service later.
        Assert.Equal((14.0, 30.0, 32.0), (drop.Arrival, drop.ServiceAt, drop.Leave));
        Assert.Equal(32, e.Courier(10).FreeAt);
    }

    [Fact]
    public void Per_order_service_minutes_time_the_stops_and_a_bundle_takes_its_longest_service()
    {
        var (e, sink) = General();
        e.PlaceOrder(new OrderRequest(1, 1, 10 * Min, 0, 0, 0, PickupServiceMinutes: 10, DropoffServiceMinutes: 6), 0);
        e.Tick(0, ref sink);
        var r = e.Route(10);
        // Pickup at arrival 0 + 5, leaves at 10; drop-off at arrival 20 + 3, leaves at 26.
        Assert.Equal((5.0, 10.0), (r[0].ServiceAt, r[0].Leave));
        Assert.Equal((20.0, 23.0, 26.0), (r[1].Arrival, r[1].ServiceAt, r[1].Leave));

        // A second order at the same site, placed before the courier leaves, joins the bundle: one service of the longest.
        var (g, sink2) = General();
        g.PlaceOrder(new OrderRequest(1, 1, 10 * Min, 0, 0, 0, PickupServiceMinutes: 2), 0);
        g.PlaceOrder(new OrderRequest(2, 1, 10 * Min, 1 * Min, 0, 0, PickupServiceMinutes: 8), 0);
        g.Tick(0, ref sink2);
        var b = g.Route(10);
        Assert.Equal(StopKind.Pickup, b[1].Kind);
        Assert.Equal((4.0, 8.0), (b[0].ServiceAt, b[0].Leave));
        Assert.Equal((4.0, 8.0), (b[1].ServiceAt, b[1].Leave));
    }

    [Fact]
    public void Ready_time_slipping_past_the_window_is_reported_not_refused()
    {
        var (e, sink) = General(courierX: -5 * Min);
        // At the site at 5, pickup at 7, leaves at 9, at the customer at 19: drop-off at 21. Deliver by 21.4.
        e.PlaceOrder(new OrderRequest(1, 1, 10 * Min, 0, 0, 0, DeliverBy: 21.4), 0);
        e.Tick(0, ref sink);
        Assert.Equal(21, e.Order(1).PlannedDropoff);
        // The kitchen is 0.6 minutes late: the drop-off moves to 21.6, past 21.4; below the 1-minute ETA threshold, still reported.
        e.ChangeReadyTime(1, 7.6, 1);
        e.Tick(1, ref sink);
        var eta = Assert.Single(sink.Recorder.Changes, c => c.Kind == PlanChangeKind.EtaChanged);
        Assert.Equal((21.0, 21.6), (eta.PreviousTime, Math.Round(eta.NewTime, 9)));
        Assert.Equal((OrderStatus.Assigned, 10L), (e.Order(1).Status, e.Order(1).CourierId));
        // Later small moves of an already broken window follow the usual threshold.
        e.ChangeReadyTime(1, 8, 2);
        e.Tick(2, ref sink);
        Assert.Single(sink.Recorder.Changes, c => c.Kind == PlanChangeKind.EtaChanged);
    }

    [Fact]
    public void A_route_with_a_broken_window_still_takes_orders_that_keep_it_no_worse()
    {
        var (e, sink) = General(courierX: -5 * Min);
        e.PlaceOrder(new OrderRequest(1, 1, 10 * Min, 0, 0, 0, DeliverBy: 21), 0);
        e.Tick(0, ref sink);
        e.ChangeReadyTime(1, 9, 1); // pickup at 9: the drop-off is now at 23, two minutes late
        e.Tick(1, ref sink);
        Assert.Equal(23, e.Order(1).PlannedDropoff);
        // A new order from the same site joins the pickup and goes after order 1's drop-off, which keeps its
        // (broken) time rather than get later; a route with a broken window is not closed to new work.
        e.PlaceOrder(new OrderRequest(2, 1, 12 * Min, 0, 2, 2), 2);
        e.Tick(2, ref sink);
        Assert.Equal((OrderStatus.Assigned, 10L), (e.Order(2).Status, e.Order(2).CourierId));
        Assert.Equal(23, e.Order(1).PlannedDropoff);
        Assert.Equal(29, e.Order(2).PlannedDropoff);
    }

    /// <summary>The Mdrp and Greedy profiles ignore windows and per-order services: identical decisions, stop for stop.</summary>
    [Theory]
    [InlineData(DispatchProfile.Mdrp)]
    [InlineData(DispatchProfile.Greedy)]
    public void Mdrp_and_Greedy_decide_exactly_as_without_windows(DispatchProfile profile)
    {
        string Run(bool windows)
        {
            var rng = new Random(11);
            var e = EngineFactory.Create(profile);
            for (int s = 0; s < 10; s++) e.AddSite(s, rng.Next(8000), rng.Next(8000));
            for (int c = 0; c < 8; c++) e.CourierOnShift(new CourierShift(c, rng.Next(8000), rng.Next(8000), rng.Next(30), 240, 3), 0);
            var orders = Enumerable.Range(0, 100).Select(i =>
            {
                int placed = rng.Next(150), ready = placed + 5 + rng.Next(20);
                var o = new OrderRequest(i, rng.Next(10), rng.Next(8000), rng.Next(8000), placed, ready);
                return windows
                    ? o with { PickupBy = ready + 1, DeliverAfter = ready + 30, DeliverBy = ready + 31, PickupServiceMinutes = 9, DropoffServiceMinutes = 0 }
                    : o;
            }).ToArray();
            var rec = new Recorder();
            var sink = new RecordingSink(rec);
            var due = new List<(double At, long Order, StopKind Kind)>();
            for (int t = 0; t < 400; t++)
            {
                foreach (var d in due.Where(d => d.At <= t).OrderBy(d => d.At).ThenBy(d => d.Kind).ThenBy(d => d.Order).ToList())
                {
                    due.Remove(d);
                    if (d.Kind == StopKind.Pickup) e.ConfirmPickup(d.Order, d.At); else e.ConfirmDropoff(d.Order, d.At);
                }
                foreach (var o in orders.Where(o => o.PlacedAt == t)) e.PlaceOrder(o, t);
                int before = rec.Assignments.Count;
                e.Tick(t, ref sink);
                foreach (var a in rec.Assignments.Skip(before)) due.AddRange(a.Stops.Select(s => (s.ServiceAt, s.OrderId, s.Kind)));
            }
            Assert.True(e.Counts.Delivered > 40, $"the run delivers: {e.Counts}");
            return string.Join("\n", rec.Assignments.Select(a => $"{a.Info}|{string.Join(";", a.Stops)}").Concat(rec.Changes.Select(c => c.ToString())));
        }
        Assert.Equal(Run(windows: false), Run(windows: true));
    }
}
