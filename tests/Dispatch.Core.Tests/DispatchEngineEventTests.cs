namespace Dispatch.Core.Tests;

/// <summary>Events that change committed plans (cancel, off shift, ready-time change, position) and the queries.</summary>
public class DispatchEngineEventTests
{
    [Fact]
    public void Cancelling_an_open_order_takes_it_out_of_planning_without_a_plan_change()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.AddSite(1, 0, 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 0), 0);
        e.CancelOrder(100, 0);
        Assert.Equal(OrderStatus.Cancelled, e.GetOrderStatus(100));
        Assert.Equal(new EngineCounts(1, 0, 0, 0, 0, 1, 0), e.Counts);

        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 100), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        for (int t = 0; t < 5; t++) e.Tick(t, ref sink);
        Assert.Empty(rec.Assignments);
        Assert.Empty(rec.Changes);
    }

    [Fact]
    public void Cancelling_an_assigned_order_empties_the_route_and_is_reported_at_the_next_tick()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 3 * Min, 0, 100), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 0), 0);     // ready now: the courier must leave now
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        Assert.Equal(1, e.Tick(0, ref sink));
        Assert.Equal(2, e.Route(10).Length);
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(100));

        e.CancelOrder(100, 1);

        Assert.Equal(OrderStatus.Cancelled, e.GetOrderStatus(100));
        Assert.Empty(e.Route(10));
        Assert.Equal(0, e.Courier(10).PlannedStops);
        Assert.Equal(new EngineCounts(1, 0, 0, 0, 0, 1, 1), e.Counts);
        Assert.Empty(rec.Changes);                                  // not before the next tick
        Assert.Equal(0, e.Tick(2, ref sink));
        Assert.Equal([new PlanChange(PlanChangeKind.Cancelled, 100, 10, 1, PlanChangeReason.OrderCancelled)], rec.Changes);
        Assert.Equal(0, e.Tick(3, ref sink));
        Assert.Single(rec.Changes);                                 // reported once
        Assert.Throws<DispatchException>(() => e.ConfirmPickup(100, 4));
    }

    [Fact]
    public void Cancelling_one_order_of_a_route_shrinks_it_and_keeps_the_other_order()
    {
        var e = EngineFactory.Create(DispatchProfile.General);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 200), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 0), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);
        e.PlaceOrder(new OrderRequest(101, 1, 0, 6 * Min, 1, 1), 1);
        e.Tick(1, ref sink);
        Assert.Equal(4, e.Route(10).Length);
        Assert.Equal(10, e.Order(101).CourierId);

        e.CancelOrder(101, 1.5);

        var route = e.Route(10);
        Assert.Equal(2, route.Length);
        Assert.All(route, s => Assert.Equal(100, s.OrderId));
        Assert.Equal(route[0].ServiceAt, e.Order(100).PlannedPickup);
        Assert.Equal(route[1].ServiceAt, e.Order(100).PlannedDropoff);
        Assert.Equal(route[1].Leave, e.Courier(10).FreeAt);
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(100));
        e.Tick(2, ref sink);
        Assert.Contains(new PlanChange(PlanChangeKind.Cancelled, 101, 10, 1.5, PlanChangeReason.OrderCancelled), rec.Changes);
    }

    [Fact]
    public void Cancelling_the_head_of_a_bundle_does_not_bring_the_courier_to_the_site_earlier()
    {
        // The courier is 20 minutes from the site. Orders 100 and 101 are both picked up there;
        // cancelling 100 while the courier is on its way cannot make it arrive before minute 20.
        var e = EngineFactory.Create(DispatchProfile.General);
        e.AddSite(1, 20 * Min, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 200), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 20 * Min, 5 * Min, 0, 0), 0);
        var sink = new RecordingSink(new Recorder());
        e.Tick(0, ref sink);
        e.PlaceOrder(new OrderRequest(101, 1, 20 * Min, 6 * Min, 1, 1), 1);
        e.Tick(1, ref sink);
        var before = e.Route(10);
        Assert.Equal(100, before[0].OrderId);
        Assert.Equal(20, before[0].Arrival);
        Assert.Equal(10, e.Order(101).CourierId);

        e.CancelOrder(100, 2);

        var after = e.Route(10);
        Assert.Equal(StopKind.Pickup, after[0].Kind);
        Assert.Equal(101, after[0].OrderId);
        Assert.True(after[0].Arrival >= 20, $"pickup of 101 re-timed to arrive at {after[0].Arrival}, the courier cannot be at the site before 20");
        Assert.True(e.Order(101).PlannedPickup >= 22, $"planned pickup {e.Order(101).PlannedPickup}");
    }

    [Fact]
    public void Going_off_shift_releases_unpicked_orders_which_another_courier_then_takes()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 2 * Min, 0, 0, 100), 0);   // nearest
        e.CourierOnShift(new CourierShift(11, 9 * Min, 0, 0, 100), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 5 * Min, 0, 0), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);
        Assert.Equal(10, e.Order(100).CourierId);

        e.CourierOffShift(10, 1);

        var order = e.Order(100);
        Assert.Equal(OrderStatus.Open, order.Status);
        Assert.Equal(-1, order.CourierId);
        Assert.True(double.IsNaN(order.PlannedPickup) && double.IsNaN(order.PlannedDropoff));
        Assert.Empty(e.Route(10));
        Assert.False(e.Courier(10).OnShift);
        Assert.Equal(new EngineCounts(1, 1, 0, 0, 0, 0, 2), e.Counts);
        Assert.Empty(rec.Changes);

        Assert.Equal(1, e.Tick(1, ref sink));
        Assert.Equal(new PlanChange(PlanChangeKind.Released, 100, 10, 1, PlanChangeReason.CourierOffline), rec.Changes[0]);
        // Re-committed at the same tick: reported as reassigned from courier 10, with the reason it was released.
        Assert.Equal(PlanChangeKind.Reassigned, rec.Changes[1].Kind);
        Assert.Equal((100L, 11L, PlanChangeReason.CourierOffline, 10.0), (rec.Changes[1].OrderId, rec.Changes[1].CourierId, rec.Changes[1].Reason, rec.Changes[1].PreviousTime));
        Assert.Equal(11, e.Order(100).CourierId);
        Assert.Equal(11, rec.Assignments[^1].Info.CourierId);
        // The courier that left gets nothing more, even when it is the nearest.
        e.PlaceOrder(new OrderRequest(101, 1, 0, 0, 2, 2), 2);
        e.CourierOnShift(new CourierShift(12, 30 * Min, 0, 0, 100), 2);
        e.Tick(2, ref sink);
        Assert.Equal(12, e.Order(101).CourierId);
    }

    [Fact]
    public void Going_off_shift_keeps_picked_up_orders_for_delivery()
    {
        // General profile: one route carries order 100 (picked up) and 101 (not yet).
        var e = EngineFactory.Create(DispatchProfile.General);
        e.AddSite(1, 0, 0);
        e.AddSite(2, 0, 3 * Min);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 200), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 10 * Min, 0, 0, 0), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);
        e.PlaceOrder(new OrderRequest(101, 2, 10 * Min, 3 * Min, 1, 1), 1);
        e.Tick(1, ref sink);
        Assert.Equal(10, e.Order(101).CourierId);
        e.ConfirmPickup(100, 2);

        e.CourierOffShift(10, 3);

        Assert.Equal(OrderStatus.PickedUp, e.GetOrderStatus(100));
        Assert.Equal(10, e.Order(100).CourierId);
        Assert.Equal(OrderStatus.Open, e.GetOrderStatus(101));
        var route = e.Route(10);
        Assert.Equal([(StopKind.Dropoff, 100L)], route.Select(s => (s.Kind, s.OrderId)).ToArray());
        e.Tick(3, ref sink);
        Assert.Equal([new PlanChange(PlanChangeKind.Released, 101, 10, 3, PlanChangeReason.CourierOffline)], rec.Changes);
        e.ConfirmDropoff(100, route[0].ServiceAt);
        Assert.Equal(OrderStatus.Delivered, e.GetOrderStatus(100));
        Assert.Equal(1, e.Courier(10).Delivered);
    }

    [Fact]
    public void A_ready_time_change_re_times_the_planned_pickup_and_drop_off()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 3 * Min, 0, 0, 200), 0);     // 3 minutes from the site
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 30), 0);
        var sink = new RecordingSink(new Recorder());
        double now = EngineFactory.TickUntil(e, ref sink, 0, 40, () => e.GetOrderStatus(100) == OrderStatus.Assigned);
        double arrival = e.Route(10)[0].Arrival;                           // the courier is at the site then
        Assert.Equal(now + 3, arrival);
        Assert.Equal(Math.Max(30, arrival + 2), e.Order(100).PlannedPickup);

        e.ChangeReadyTime(100, 60, now);
        Assert.Equal(60, e.Order(100).PlannedPickup);
        Assert.Equal(60 + 2 + 5 + 2, e.Order(100).PlannedDropoff);
        var route = e.Route(10);
        Assert.Equal((arrival, 60.0, 62.0), (route[0].Arrival, route[0].ServiceAt, route[0].Leave));
        Assert.Equal((62.0, 67.0, 69.0, 71.0), (route[1].Departure, route[1].Arrival, route[1].ServiceAt, route[1].Leave));
        Assert.Equal(71, e.Courier(10).FreeAt);

        e.ChangeReadyTime(100, 1, now);                                    // ready early: arrival + half service wins
        Assert.Equal(arrival + 2, e.Order(100).PlannedPickup);
        Assert.Equal(arrival + 2 + 2 + 5 + 2, e.Order(100).PlannedDropoff);
        Assert.Equal(arrival + 2 + 2 + 5 + 2 + 2, e.Courier(10).FreeAt);
    }

    [Fact]
    public void A_ready_time_change_of_an_open_order_moves_its_commit()
    {
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 10 * Min, 0, 0, 200), 0);   // 10 minutes away
        e.PlaceOrder(new OrderRequest(100, 1, 0, 5 * Min, 0, 20), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        for (int t = 0; t <= 5; t++) e.Tick(t, ref sink);
        e.ChangeReadyTime(100, 40, 5);
        for (int t = 6; t <= 27; t++) e.Tick(t, ref sink);
        Assert.Empty(rec.Assignments);                                      // 20 - 12 = 8 would have been the commit
        e.Tick(28, ref sink);
        Assert.Single(rec.Assignments);
        Assert.Equal(40, e.Order(100).PlannedPickup);
    }

    [Fact]
    public void A_position_update_moves_an_idle_courier_and_re_plans_a_busy_one_only_when_it_is_behind()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 20 * Min, 0, 0, 200), 0);
        e.CourierOnShift(new CourierShift(11, 10 * Min, 0, 0, 200), 0);
        e.UpdateCourierPosition(10, 1 * Min, 0, 0);
        Assert.Equal((1 * Min, 0.0), (e.Courier(10).FreeX, e.Courier(10).FreeY));

        e.PlaceOrder(new OrderRequest(100, 1, 0, 5 * Min, 0, 0), 0);
        var sink = new RecordingSink(new Recorder());
        e.Tick(0, ref sink);
        Assert.Equal(10, e.Order(100).CourierId);                           // now the nearest
        Assert.Equal(1, e.Route(10)[0].Arrival);

        var busy = e.Courier(10);
        e.UpdateCourierPosition(10, 0.5 * Min, 0, 0.5);                    // on its way, on time
        Assert.Equal(busy, e.Courier(10));                                  // keeps its plan and free point

        e.UpdateCourierPosition(10, 7777, 7777, 1);                         // far off: behind plan
        var late = e.Courier(10);
        Assert.True(late.FreeAt > busy.FreeAt, $"re-timed from where it is: {late.FreeAt} vs {busy.FreeAt}");
        Assert.Equal(1 + Math.Ceiling(Math.Sqrt(7777.0 * 7777 * 2) / 320), e.Route(10)[0].Arrival);
        e.Tick(1, ref sink);
        Assert.Contains(sink.Recorder.Changes, ch => ch.Kind == PlanChangeKind.EtaChanged && ch.OrderId == 100 && ch.Reason == PlanChangeReason.CourierBehind);
    }

    [Fact]
    public void A_pickup_confirmed_behind_one_still_to_do_leaves_the_route_copy_and_the_stop_count()
    {
        // Two orders of one site on one courier: the second's food is picked up while the first's is not (its kitchen
        // is late). The stop stays in the engine's route behind the head until the head is done, but a device reading
        // the route must not see it again (it would confirm it twice), nor count it as still to do.
        var e = EngineFactory.Create(DispatchProfile.General);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 200, Capacity: 4), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 2 * Min, 0, 0, 2), 0);
        e.PlaceOrder(new OrderRequest(101, 1, 2 * Min, 10, 0, 2), 0);
        var sink = new RecordingSink(new Recorder());
        e.Tick(0, ref sink);
        var route = e.Route(10);
        Assert.Equal([StopKind.Pickup, StopKind.Pickup, StopKind.Dropoff, StopKind.Dropoff], route.Select(s => s.Kind).ToArray());
        long first = route[0].OrderId, second = route[1].OrderId;

        e.ConfirmPickup(second, 2);

        var left = e.Route(10);
        Assert.Equal(new[] { route[0], route[2], route[3] }.Select(s => (s.Kind, s.OrderId)), left.Select(s => (s.Kind, s.OrderId)));
        Assert.Equal(3, e.Courier(10).PlannedStops);
        var active = new ActiveCourier[1];
        Assert.Equal(1, e.CopyActiveCouriers(active));
        Assert.Equal(3, active[0].PlannedStops);
        var two = new PlannedStop[2];
        Assert.Equal(2, e.CopyRoute(10, two)); // the destination's length still bounds the copy
        Assert.Equal(left[..2], two);
        Assert.Throws<DispatchException>(() => e.ConfirmPickup(second, 3));

        e.ConfirmPickup(first, 4);
        foreach (var s in e.Route(10)) e.ConfirmDropoff(s.OrderId, Math.Max(5, s.ServiceAt));
        Assert.Equal(0, e.Courier(10).PlannedStops);
        Assert.Equal(2, e.Courier(10).Delivered);
    }

    [Fact]
    public void Queries_report_unknown_ids_and_copy_routes_up_to_the_destination_length()
    {
        var e = EngineFactory.Create(DispatchProfile.General);
        Assert.False(e.TryGetOrder(5, out _));
        Assert.False(e.TryGetCourier(5, out _));
        Assert.Equal(OrderStatus.Unknown, e.GetOrderStatus(5));
        Assert.Equal(double.NegativeInfinity, e.LastTick);
        Assert.Equal(default, e.Counts);

        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 5, 200, Capacity: 4), 0);
        var c = e.Courier(10);
        Assert.Equal(new CourierView(10, false, 0, 0, 5, 5, 200, 0, 0), c);   // scheduled, not on shift yet
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 0), 0);
        var o = e.Order(100);
        Assert.Equal(OrderStatus.Open, o.Status);
        Assert.Equal(-1, o.CourierId);
        Assert.True(double.IsNaN(o.PlannedPickup) && double.IsNaN(o.PickedUpAt) && double.IsNaN(o.DeliveredAt));

        var sink = new RecordingSink(new Recorder());
        for (int t = 0; t <= 5; t++) e.Tick(t, ref sink);
        Assert.Equal(5, e.LastTick);
        Assert.True(e.Courier(10).OnShift);
        Assert.Equal(new EngineCounts(1, 0, 1, 0, 0, 0, 1), e.Counts);
        Assert.Equal(2, e.Route(10).Length);
        var one = new PlannedStop[1];
        Assert.Equal(1, e.CopyRoute(10, one));
        Assert.Equal(e.Route(10)[0], one[0]);
        Assert.Equal(0, e.CopyRoute(10, Span<PlannedStop>.Empty));
        var r = e.Route(10);
        Assert.Equal((StopKind.Pickup, 100L, 1L), (r[0].Kind, r[0].OrderId, r[0].SiteId));
        Assert.Equal((StopKind.Dropoff, 100L, -1L), (r[1].Kind, r[1].OrderId, r[1].SiteId));

        e.ConfirmPickup(100, r[0].ServiceAt);
        Assert.Equal(r[0].ServiceAt, e.Order(100).PickedUpAt);
        Assert.Single(e.Route(10));
        e.ConfirmDropoff(100, r[1].ServiceAt);
        o = e.Order(100);
        Assert.Equal((OrderStatus.Delivered, 10L, r[1].ServiceAt), (o.Status, o.CourierId, o.DeliveredAt));
        Assert.Equal(new EngineCounts(1, 0, 0, 0, 1, 0, 1), e.Counts);
        c = e.Courier(10);
        Assert.Equal((0, 1, 5 * Min, 0.0, r[1].Leave), (c.PlannedStops, c.Delivered, c.FreeX, c.FreeY, c.FreeAt));
    }

    [Fact]
    public void A_courier_may_return_for_a_new_shift_after_its_last_one_ended()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 10), 0);
        Assert.Throws<DispatchException>(() => e.CourierOnShift(new CourierShift(10, 0, 0, 20, 30), 0));
        e.CourierOffShift(10, 5);
        e.CourierOnShift(new CourierShift(10, 3 * Min, 0, 20, 30), 6);
        var c = e.Courier(10);
        Assert.Equal((3 * Min, 20.0, 30.0, false), (c.FreeX, c.ShiftStart, c.ShiftEnd, c.OnShift));
        Assert.Equal(1, e.Counts.Couriers);
    }

    /// <summary>Replies use -1 for "no courier" and "no site", so no id below 0 is taken, and nothing is stored.</summary>
    [Fact]
    public void Negative_ids_are_refused_naming_the_kind_and_nothing_is_stored()
    {
        var e = EngineFactory.Create(DispatchProfile.General);
        var site = Assert.Throws<DispatchException>(() => e.AddSite(-1, 0, 0));
        Assert.Equal(DispatchError.InvalidValue, site.Error);
        Assert.Contains("site id -1 must be 0 or more", site.Message);
        var courier = Assert.Throws<DispatchException>(() => e.CourierOnShift(new CourierShift(-1, 0, 0, 0, 100), 0));
        Assert.Contains("courier id -1 must be 0 or more", courier.Message);
        e.AddSite(1, 0, 0);
        var order = Assert.Throws<DispatchException>(() => e.PlaceOrder(new OrderRequest(-7, 1, 5 * Min, 0, 0, 0), 0));
        Assert.Contains("order id -7 must be 0 or more", order.Message);
        Assert.Equal(new EngineCounts(0, 0, 0, 0, 0, 0, 0), e.Counts);
    }

    /// <summary>
    /// Confirmations that cannot be true are refused and change nothing: a pickup before the order was
    /// placed, a drop-off before its pickup (the "pickup at 500, drop-off at 13").
    /// </summary>
    [Fact]
    public void Impossible_confirmation_times_are_refused_and_nothing_changes()
    {
        var e = OneAssignedOrder(placedAt: 10, readyAt: 12);

        var early = Assert.Throws<DispatchException>(() => e.ConfirmPickup(100, 2));
        Assert.Equal(DispatchError.InvalidValue, early.Error);
        Assert.Contains("pickup time at=2 is before its placement time 10", early.Message);
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(100));

        e.ConfirmPickup(100, 500);
        var back = Assert.Throws<DispatchException>(() => e.ConfirmDropoff(100, 13));
        Assert.Contains("drop-off time at=13 is before its pickup time 500", back.Message);
        Assert.Equal(OrderStatus.PickedUp, e.GetOrderStatus(100));
        e.ConfirmDropoff(100, 510);
        Assert.Equal(OrderStatus.Delivered, e.GetOrderStatus(100));
    }

    /// <summary>
    /// A pickup more than <see cref="DispatchOptions.PickupBeforeReadyToleranceMinutes"/> (5) before the order's ready
    /// time is refused naming <c>at</c>; within the tolerance it is accepted; +infinity accepts any pickup after placement.
    /// </summary>
    [Fact]
    public void A_pickup_long_before_the_ready_time_is_refused_within_the_tolerance_accepted()
    {
        var e = OneAssignedOrder(placedAt: 0, readyAt: 20);
        Assert.Equal(5, e.Options.PickupBeforeReadyToleranceMinutes);

        var early = Assert.Throws<DispatchException>(() => e.ConfirmPickup(100, 14.5, now: 21));
        Assert.Equal(DispatchError.InvalidValue, early.Error);
        Assert.Contains("pickup time at=14.5 is before its ready time 20 less the 5 min tolerance", early.Message);
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(100));
        Assert.True(double.IsNaN(e.Order(100).PickedUpAt));

        e.ConfirmPickup(100, 15, now: 21);                                 // a kitchen 5 minutes early
        Assert.Equal((OrderStatus.PickedUp, 15.0), (e.GetOrderStatus(100), e.Order(100).PickedUpAt));

        var any = OneAssignedOrder(placedAt: 0, readyAt: 20, new DispatchOptions { Profile = DispatchProfile.Greedy, PickupBeforeReadyToleranceMinutes = double.PositiveInfinity });
        any.ConfirmPickup(100, 0, now: 21);
        Assert.Equal(OrderStatus.PickedUp, any.GetOrderStatus(100));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), new DispatchOptions { PickupBeforeReadyToleranceMinutes = -1 }));
    }

    /// <summary>
    /// A confirmation reports what has happened: a pickup or drop-off time later than the caller's now is refused
    /// naming <c>at</c> and changes nothing; one at now or earlier is accepted. (The two-argument forms take <c>at</c> as now.)
    /// </summary>
    [Fact]
    public void A_confirmation_later_than_now_is_refused_and_nothing_changes()
    {
        var e = OneAssignedOrder(placedAt: 0, readyAt: 0);

        var pickup = Assert.Throws<DispatchException>(() => e.ConfirmPickup(100, 2.5, now: 2));
        Assert.Equal(DispatchError.InvalidValue, pickup.Error);
        Assert.Contains("order 100: pickup time at=2.5 is later than now (2)", pickup.Message);
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(100));

        e.ConfirmPickup(100, 2, now: 2);
        var drop = Assert.Throws<DispatchException>(() => e.ConfirmDropoff(100, 9, now: 8));
        Assert.Contains("order 100: drop-off time at=9 is later than now (8)", drop.Message);
        Assert.Equal(OrderStatus.PickedUp, e.GetOrderStatus(100));
        e.ConfirmDropoff(100, 7, now: 8);
        Assert.Equal((OrderStatus.Delivered, 7.0), (e.GetOrderStatus(100), e.Order(100).DeliveredAt));
    }

    /// <summary>
    /// <see cref="EngineCounts.Couriers"/> counts every courier known (until its retention ends); <see cref="DispatchEngine{TTravel}.CouriersOnShift"/>
    /// only those on shift: not a shift that starts later (until the tick that starts it), not one sent off shift.
    /// </summary>
    [Fact]
    public void Couriers_on_shift_leave_out_later_shifts_and_couriers_gone_off_shift()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 100), 0);
        e.CourierOnShift(new CourierShift(11, 0, 0, 0, 100), 0);
        e.CourierOnShift(new CourierShift(12, 0, 0, 30, 100), 0);
        Assert.Equal((3, 2), (e.Counts.Couriers, e.CouriersOnShift));
        e.CourierOffShift(11, 5);
        Assert.Equal((3, 1), (e.Counts.Couriers, e.CouriersOnShift));
        var sink = new RecordingSink(new Recorder());
        e.Tick(30, ref sink);
        Assert.Equal((3, 2), (e.Counts.Couriers, e.CouriersOnShift));
        e.Tick(100, ref sink);                                              // both shifts over
        // Courier 11, off shift at 5 with nothing planned, is forgotten an hour later (the default retention).
        Assert.Equal((2, 0), (e.Counts.Couriers, e.CouriersOnShift));
        Assert.False(e.TryGetCourier(11, out _));
    }

    /// <summary>
    /// Off shift with an order on board: a second off-shift says "already off shift", and a new shift
    /// is refused saying the courier still carries it (not "already on a shift"); after the drop-off
    /// the courier may start again.
    /// </summary>
    [Fact]
    public void A_courier_off_shift_with_an_order_on_board_gets_consistent_answers()
    {
        var e = OneAssignedOrder(placedAt: 0, readyAt: 0);
        e.ConfirmPickup(100, 2);
        e.CourierOffShift(10, 3);

        var again = Assert.Throws<DispatchException>(() => e.CourierOffShift(10, 4));
        Assert.Contains("already off shift", again.Message);
        var restart = Assert.Throws<DispatchException>(() => e.CourierOnShift(new CourierShift(10, 0, 0, 5, 300), 5));
        Assert.Equal(DispatchError.InvalidState, restart.Error);
        Assert.Contains("off shift but still carries", restart.Message);

        e.ConfirmDropoff(100, 8);
        e.CourierOnShift(new CourierShift(10, 0, 0, 10, 300), 10);
        Assert.True(e.Courier(10).OnShift);
    }

    /// <summary>Courier 10 at the site with order 100 (5 minutes away) committed to it (greedy profile unless <paramref name="options"/>).</summary>
    private static DispatchEngine<EuclideanCeilMinutes> OneAssignedOrder(double placedAt, double readyAt, DispatchOptions? options = null)
    {
        var e = options is null ? EngineFactory.Create(DispatchProfile.Greedy) : new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320), options);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, placedAt, readyAt), placedAt);
        var sink = new RecordingSink(new Recorder());
        for (double t = placedAt; t <= readyAt + 1 && e.GetOrderStatus(100) != OrderStatus.Assigned; t++) e.Tick(t, ref sink);
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(100));
        return e;
    }
}
