namespace Dispatch.Core.Tests.Replanning;

/// <summary>
/// Re-timing on a kitchen delay (<see cref="DispatchEngine{TTravel}.ChangeReadyTime"/>) and on repeated
/// "travel times changed" calls that change nothing, on the plain rule.
/// </summary>
public class ReadyTimeReplanningTests
{
    /// <summary>General profile: courier 10 collects orders 100 and 101 at one site; the second pickup, inserted
    /// right after the head, joins the head's pickup (one service at the site).</summary>
    private static DispatchEngine<Dispatch.Travel.EuclideanCeilMinutes> TwoServicesAtOneSite(Recorder rec)
    {
        var e = EngineFactory.Create(DispatchProfile.General);
        var sink = new RecordingSink(rec);
        e.AddSite(1, 10 * Min, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 10 * Min, 5 * Min, 0, 0), 0);
        e.Tick(0, ref sink);
        e.PlaceOrder(new OrderRequest(101, 1, 10 * Min, 6 * Min, 1, 1), 1);
        e.Tick(1, ref sink);
        var r = e.Route(10);
        Assert.Equal([(StopKind.Pickup, 100L), (StopKind.Pickup, 101L)], r.Take(2).Select(s => (s.Kind, s.OrderId)).ToArray());
        // The second pickup joined the head's: same arrival, one service.
        Assert.Equal((10.0, 12.0, 14.0), (r[0].Arrival, r[0].ServiceAt, r[0].Leave));
        Assert.Equal((r[0].Departure, 10.0, 12.0, 14.0), (r[1].Departure, r[1].Arrival, r[1].ServiceAt, r[1].Leave));
        return e;
    }

    [Fact]
    public void A_later_ready_time_re_times_the_pickup_and_everything_after_it()
    {
        var rec = new Recorder();
        var e = TwoServicesAtOneSite(rec);
        var before = e.Route(10);
        e.ChangeReadyTime(101, 30, 2);
        var after = e.Route(10);
        Assert.True(after[1].ServiceAt >= 30);
        Assert.All(after.Where(s => s.Kind == StopKind.Pickup), s => Assert.True(s.ServiceAt >= s.Arrival + 2 - 1e-9, $"{s}"));
        for (int i = 1; i < after.Length; i++) Assert.True(after[i].Departure >= after[i - 1].Leave - 1e-9 || after[i].ServiceAt == after[i - 1].ServiceAt);
        Assert.True(e.Order(101).PlannedDropoff > before.Single(s => s.Kind == StopKind.Dropoff && s.OrderId == 101).ServiceAt);
        var sink = new RecordingSink(rec);
        e.Tick(2, ref sink);
        Assert.Contains(rec.Changes, c => c.Kind == PlanChangeKind.EtaChanged && c.OrderId == 101 && c.Reason == PlanChangeReason.ReadyTimeChanged && c.PreviousTime < c.NewTime);
    }

    // A ready-time change re-times the pickup's group (consecutive pickups at one place, served as one bundle):
    // every stop of the group takes the group's arrival, so no pickup is planned before its courier arrives, even
    // when the group was two services one after the other (a second pickup inserted right after the head).
    [Fact]
    public void A_ready_time_change_never_plans_a_pickup_before_the_arrival()
    {
        var rec = new Recorder();
        var e = TwoServicesAtOneSite(rec);
        e.ChangeReadyTime(101, 2, 2);
        var r = e.Route(10);
        foreach (var s in r.Where(s => s.Kind == StopKind.Pickup))
            Assert.True(s.ServiceAt >= s.Arrival + 2 - 1e-9, $"pickup of order {s.OrderId} at {s.ServiceAt}, arrival {s.Arrival}");
    }

    // A re-timed pickup is never planned before now: a courier waiting at the site since minute 28, told at minute
    // 50 that the food has been ready since 35, picks up at 50 at the earliest (not 35, with a drop-off at 42).
    [Fact]
    public void An_earlier_ready_time_while_the_courier_waits_at_the_site_does_not_plan_the_pickup_in_the_past()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        var sink = new RecordingSink(new Recorder());
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 3 * Min, 0, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 30), 0);
        double now = EngineFactory.TickUntil(e, ref sink, 0, 40, () => e.GetOrderStatus(100) == OrderStatus.Assigned);
        double arrival = e.Route(10)[0].Arrival;
        Assert.True(arrival < 30);
        e.ChangeReadyTime(100, 60, now + 1);                                // the kitchen is late
        Assert.Equal(60, e.Order(100).PlannedPickup);
        // The courier waits at the site; at 50 the kitchen says the food has been ready since 35.
        e.ChangeReadyTime(100, 35, 50);
        Assert.True(e.Order(100).PlannedPickup >= 50, $"pickup planned at {e.Order(100).PlannedPickup}, before now (50)");
        Assert.True(e.Order(100).PlannedDropoff > 50, $"drop-off planned at {e.Order(100).PlannedDropoff}, before now (50)");
    }

    // TravelTimesChanged re-times a route from the courier's estimated position on its leg. With a ceiling rule
    // (EuclideanCeilMinutes, and TrafficAdjusted over it) re-rounding the rest of the leg at every call would add up
    // to a minute each time although nothing changed, a drift too small per step to be reported: repeated calls
    // with an unchanged picture must leave every plan where it was.
    [Fact]
    public void Travel_times_changed_with_nothing_changed_moves_no_plan()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 7 * Min, 0, 0, 300), 0);
        e.CourierOnShift(new CourierShift(11, 0, -9.3 * Min, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, -6.5 * Min, 4.2 * Min, 0, 0), 0);
        e.PlaceOrder(new OrderRequest(101, 1, 3.3 * Min, 8.8 * Min, 0, 0), 0);
        e.Tick(0, ref sink);
        double d100 = e.Order(100).PlannedDropoff, d101 = e.Order(101).PlannedDropoff;
        for (double t = 0.5; t < 8; t += 0.5)
        {
            e.TravelTimesChanged(t);
            Assert.True(e.Order(100).PlannedDropoff == d100, $"t={t}: drop-off of 100 moved {d100} -> {e.Order(100).PlannedDropoff}");
            Assert.True(e.Order(101).PlannedDropoff == d101, $"t={t}: drop-off of 101 moved {d101} -> {e.Order(101).PlannedDropoff}");
        }
    }

    [Fact]
    public void A_single_travel_times_changed_with_nothing_changed_moves_a_plan_by_less_than_a_minute()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 7 * Min, 0, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, -6.5 * Min, 4.2 * Min, 0, 0), 0);
        e.Tick(0, ref sink);
        double d = e.Order(100).PlannedDropoff;
        e.TravelTimesChanged(2.5);
        Assert.InRange(e.Order(100).PlannedDropoff, d, d + 1);
        e.Tick(3, ref sink);
        Assert.Empty(rec.Changes);
    }

    // ETA moves are measured against the drop-off last reported (at commit or in an EtaChanged), not against the
    // plan just before each re-plan: moves under EtaChangeThresholdMinutes that add up past it (3 minutes here,
    // threshold 1) are reported.
    [Fact]
    public void Small_moves_that_add_up_past_the_threshold_are_reported()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 3 * Min, 0, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 30), 0);
        double now = EngineFactory.TickUntil(e, ref sink, 0, 40, () => e.GetOrderStatus(100) == OrderStatus.Assigned);
        double first = e.Order(100).PlannedDropoff;
        for (int k = 1; k <= 6; k++) e.ChangeReadyTime(100, 30 + 0.5 * k, now);
        Assert.Equal(first + 3, e.Order(100).PlannedDropoff, 9);
        e.Tick(now + 1, ref sink);
        Assert.Contains(rec.Changes, c => c.Kind == PlanChangeKind.EtaChanged && c.OrderId == 100 && c.NewTime - c.PreviousTime >= 1);
    }
}
