namespace Dispatch.Core.Tests.Exceptions;

/// <summary>Failed and wrong deliveries, kitchen changes (out of stock): each event, each refusal, the counts.</summary>
public class DeliveryExceptionTests
{
    /// <summary>One site at the origin, courier 10 beside it, order 100 five minutes away, ready at 0: ticked until
    /// the courier carries it (picked up at its planned time), at the tick returned.</summary>
    private static (DispatchEngine<EuclideanCeilMinutes> E, Recorder Rec, double PickedAt) PickedUp(DispatchProfile profile = DispatchProfile.Mdrp, double retention = 60)
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(Min), new DispatchOptions { Profile = profile, FinishedOrderRetentionMinutes = retention });
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, Min, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 0), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);
        double pickup = e.Order(100).PlannedPickup;
        e.ConfirmPickup(100, pickup, pickup);
        return (e, rec, pickup);
    }

    /// <summary>Ticks (following the plan: pickups and drop-offs confirmed at their planned times) until the order is delivered.</summary>
    private static double DeliverEventually(DispatchEngine<EuclideanCeilMinutes> e, Recorder rec, long orderId, double from)
    {
        var sink = new RecordingSink(rec);
        for (double t = from; t < from + 200; t++)
        {
            e.Tick(t, ref sink);
            var v = e.Order(orderId);
            if (v.Status == OrderStatus.Assigned && v.PlannedPickup <= t) e.ConfirmPickup(orderId, v.PlannedPickup, t);
            v = e.Order(orderId);
            if (v.Status == OrderStatus.PickedUp && v.PlannedDropoff <= t) { e.ConfirmDropoff(orderId, v.PlannedDropoff, t); return v.PlannedDropoff; }
        }
        Assert.Fail($"order {orderId} not delivered");
        return double.NaN;
    }

    [Theory]
    [InlineData(DispatchProfile.Mdrp)]
    [InlineData(DispatchProfile.General)]
    [InlineData(DispatchProfile.Greedy)]
    public void A_failed_delivery_is_remade_and_delivered_again_with_the_same_id(DispatchProfile profile)
    {
        var (e, rec, picked) = PickedUp(profile);
        double at = picked + 8;
        e.DeliveryFailed(100, at, DeliveryFailureReason.CustomerNotFound, at);

        var v = e.Order(100);
        Assert.Equal(OrderStatus.Open, v.Status);
        Assert.Equal(-1, v.CourierId);
        Assert.True(double.IsNaN(v.PickedUpAt));
        Assert.Empty(e.Route(10));
        Assert.Equal(new ExceptionCounts(1, 0, 1, 0, 0, 0), e.Exceptions);
        Assert.Equal(1, e.RemakesOf(100));
        Assert.Equal(new EngineCounts(1, 1, 0, 0, 0, 0, 1), e.Counts);

        double dropped = DeliverEventually(e, rec, 100, at);
        Assert.Equal(OrderStatus.Delivered, e.GetOrderStatus(100));
        // Re-made: ready RemakeMinutes (10) after the report, so picked up no earlier than that.
        Assert.True(e.Order(100).PickedUpAt >= at + 10);
        Assert.True(dropped > at + 10);
        Assert.Equal(new ExceptionCounts(1, 0, 1, 1, 0, 0), e.Exceptions);
        Assert.Contains(rec.Changes, c => c.Kind == PlanChangeKind.Released && c.OrderId == 100 && c.Reason == PlanChangeReason.DeliveryFailed);
        Assert.Contains(rec.Changes, c => c.Kind == PlanChangeKind.Reassigned && c.OrderId == 100 && c.Reason == PlanChangeReason.DeliveryFailed);
    }

    /// <summary>A failure is reported at the door: the courier is re-planned from the drop-off, where it stands, even
    /// when its last position report came from the leg before it (a report says where it was then, not now).</summary>
    [Fact]
    public void A_failed_delivery_re_plans_its_courier_from_the_door_not_from_its_last_report_on_the_way()
    {
        var (e, _, _) = PickedUp();
        var drop = e.Route(10).Single();
        double mid = (drop.Departure + drop.Arrival) / 2;
        // On plan, half-way to the door (within the tolerance: the plan stands).
        e.UpdateCourierPosition(10, drop.X / 2, drop.Y / 2, mid);
        Assert.Equal(drop, e.Route(10).Single());
        e.DeliveryFailed(100, drop.ServiceAt, DeliveryFailureReason.CustomerNotFound, drop.ServiceAt);
        Assert.True(e.TryGetCourier(10, out var v));
        Assert.Equal((drop.X, drop.Y), (v.FreeX, v.FreeY));
    }

    [Fact]
    public void A_given_remade_ready_time_is_kept()
    {
        var (e, rec, picked) = PickedUp();
        double at = picked + 8;
        e.DeliveryFailed(100, at, DeliveryFailureReason.WrongAddress, at, remadeReadyAt: at + 25);
        DeliverEventually(e, rec, 100, at);
        Assert.True(e.Order(100).PickedUpAt >= at + 25);
    }

    [Fact]
    public void A_returned_failed_delivery_ends_the_order_as_returned()
    {
        var (e, rec, picked) = PickedUp();
        double at = picked + 8;
        e.DeliveryFailed(100, at, DeliveryFailureReason.Refused, at, returned: true);
        Assert.Equal(OrderStatus.Returned, e.GetOrderStatus(100));
        Assert.Empty(e.Route(10));
        Assert.Equal(new EngineCounts(1, 0, 0, 0, 0, 0, 1) { Returned = 1 }, e.Counts);
        Assert.Equal(new ExceptionCounts(1, 0, 0, 0, 1, 0), e.Exceptions);
        var sink = new RecordingSink(rec);
        for (double t = at; t < at + 90; t++) e.Tick(t, ref sink);
        Assert.Contains(new PlanChange(PlanChangeKind.Cancelled, 100, 10, at, PlanChangeReason.DeliveryFailed), rec.Changes);
        Assert.Equal(0, e.Counts.Open);
        Assert.Equal(OrderStatus.Unknown, e.GetOrderStatus(100)); // forgotten after its retention
        Assert.Equal(1, e.Counts.Returned);
    }

    [Fact]
    public void A_failed_delivery_replans_only_its_courier_and_keeps_its_other_orders()
    {
        var e = EngineFactory.Create(DispatchProfile.General);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 300), 0);
        e.CourierOnShift(new CourierShift(20, 20 * Min, 0, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 0), 0);
        e.PlaceOrder(new OrderRequest(101, 1, 0, 6 * Min, 0, 0), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);
        Assert.Equal(10, e.Order(100).CourierId);
        Assert.Equal(10, e.Order(101).CourierId);
        var other = e.Route(20);
        foreach (var s in e.Route(10).Where(s => s.Kind == StopKind.Pickup)) e.ConfirmPickup(s.OrderId, s.ServiceAt, s.ServiceAt);
        var first = e.Route(10)[0];
        double at = first.ServiceAt;
        e.DeliveryFailed(first.OrderId, at, DeliveryFailureReason.CustomerNotFound, at);
        long kept = first.OrderId == 100 ? 101 : 100;
        Assert.Equal(OrderStatus.PickedUp, e.GetOrderStatus(kept));
        Assert.All(e.Route(10), s => Assert.Equal(kept, s.OrderId));
        Assert.Equal(other, e.Route(20));
    }

    [Fact]
    public void A_wrong_delivery_is_remade_from_the_history_and_delivered_again()
    {
        var (e, rec, _) = PickedUp();
        double dropped = DeliverEventually(e, rec, 100, 1);
        var sink = new RecordingSink(rec);
        e.Tick(dropped + 2, ref sink); // moves it into the history (its slot is freed)
        double at = dropped + 5;
        e.WrongOrderDelivered(100, at, at);
        Assert.Equal(OrderStatus.Open, e.GetOrderStatus(100));
        Assert.Equal(new EngineCounts(1, 1, 0, 0, 0, 0, 1), e.Counts);
        Assert.Equal(new ExceptionCounts(0, 1, 1, 0, 0, 0), e.Exceptions);
        double again = DeliverEventually(e, rec, 100, at);
        Assert.True(again > at + 10);
        Assert.Equal(new ExceptionCounts(0, 1, 1, 1, 0, 0), e.Exceptions);
        Assert.Equal(1, e.Counts.Delivered);
        // Forgotten after its retention like any order: the abandoned history entry is freed too, nothing leaks.
        for (double t = again; t < again + 130; t++) e.Tick(t, ref sink);
        Assert.Equal(OrderStatus.Unknown, e.GetOrderStatus(100));
        Assert.Equal(0, e.OrdersInHistory);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(double.PositiveInfinity)]
    public void A_wrong_delivery_reported_before_the_next_tick_is_remade_in_place(double retention)
    {
        var (e, rec, _) = PickedUp(retention: retention);
        var v = e.Order(100);
        e.ConfirmDropoff(100, v.PlannedDropoff, v.PlannedDropoff);
        e.WrongOrderDelivered(100, v.PlannedDropoff + 1, v.PlannedDropoff + 1, remadeReadyAt: v.PlannedDropoff + 4);
        Assert.Equal(OrderStatus.Open, e.GetOrderStatus(100));
        double again = DeliverEventually(e, rec, 100, v.PlannedDropoff + 1);
        Assert.True(e.Order(100).PickedUpAt >= v.PlannedDropoff + 4);
        var sink = new RecordingSink(rec);
        for (double t = again; t < again + 130; t++) e.Tick(t, ref sink);
        Assert.Equal(double.IsInfinity(retention) ? OrderStatus.Delivered : OrderStatus.Unknown, e.GetOrderStatus(100));
    }

    [Fact]
    public void Impossible_failures_are_refused_naming_the_order_and_the_field_and_change_nothing()
    {
        var (e, _, picked) = PickedUp();
        e.PlaceOrder(new OrderRequest(200, 1, 3 * Min, 0, 1, 30), 1);   // open, never picked up
        e.PlaceOrder(new OrderRequest(300, 1, 3 * Min, 0, 1, 30), 1);
        e.CancelOrder(300, 1);
        var before = (e.Counts, e.Exceptions, e.Order(100), string.Join(";", e.Route(10)));

        void Refused(Action act, params string[] words)
        {
            var ex = Assert.Throws<DispatchException>(act);
            foreach (var w in words) Assert.Contains(w, ex.Message);
            Assert.Equal(before, (e.Counts, e.Exceptions, e.Order(100), string.Join(";", e.Route(10))));
        }

        double at = picked + 5;
        Refused(() => e.DeliveryFailed(200, at, DeliveryFailureReason.Other, at), "order 200", "Open");
        Refused(() => e.DeliveryFailed(300, at, DeliveryFailureReason.Other, at), "order 300", "Cancelled");
        Refused(() => e.DeliveryFailed(999, at, DeliveryFailureReason.Other, at), "999");
        Refused(() => e.DeliveryFailed(100, picked - 1, DeliveryFailureReason.Other, at), "order 100", "at=", "pickup");
        Refused(() => e.DeliveryFailed(100, at + 1, DeliveryFailureReason.Other, at), "order 100", "later than now");
        Refused(() => e.DeliveryFailed(100, double.NaN, DeliveryFailureReason.Other, at), "100");
        Refused(() => e.DeliveryFailed(100, at, (DeliveryFailureReason)77, at), "order 100", "reason");
        Refused(() => e.DeliveryFailed(100, at, DeliveryFailureReason.Other, at, remadeReadyAt: at - 1), "order 100", "remadeReadyAt");
        Refused(() => e.DeliveryFailed(100, at, DeliveryFailureReason.Other, at, remadeReadyAt: at + 5, returned: true), "order 100", "remadeReadyAt");
        Refused(() => e.WrongOrderDelivered(100, at, at), "order 100", "PickedUp");
        Refused(() => e.WrongOrderDelivered(300, at, at), "order 300", "Cancelled");
        Refused(() => e.ChangeOrder(100, at + 5, null, at), "order 100", "PickedUp");
        Refused(() => e.ChangeOrder(200, null, null, at), "order 200", "newReadyAt or newSize");
        Refused(() => e.ChangeOrder(200, 0.5, null, at), "order 200", "newReadyAt", "placement");
        Refused(() => e.ChangeOrder(200, null, 0, at), "order 200", "newSize");
        Refused(() => e.ChangeOrder(200, null, 2, at), "order 200", "newSize");
        Refused(() => e.ChangeOrder(300, 40, null, at), "order 300", "Cancelled");

        var v = e.Order(100);
        e.ConfirmDropoff(100, v.PlannedDropoff, v.PlannedDropoff);
        before = (e.Counts, e.Exceptions, e.Order(100), string.Join(";", e.Route(10)));
        Refused(() => e.WrongOrderDelivered(100, v.PlannedDropoff - 1, v.PlannedDropoff), "order 100", "drop-off");
        Refused(() => e.DeliveryFailed(100, v.PlannedDropoff, DeliveryFailureReason.Other, v.PlannedDropoff), "order 100", "Delivered", "WrongOrderDelivered");
    }

    [Fact]
    public void An_out_of_stock_change_retimes_only_that_orders_courier_and_a_cancel_after_it_frees_the_courier()
    {
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        e.AddSite(1, 0, 0);
        e.AddSite(2, 30 * Min, 0);
        e.CourierOnShift(new CourierShift(10, 0, Min, 0, 300), 0);
        e.CourierOnShift(new CourierShift(20, 30 * Min, Min, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 0, Size: 3), 0);
        e.PlaceOrder(new OrderRequest(200, 2, 35 * Min, 0, 0, 0), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);
        Assert.Equal(10, e.Order(100).CourierId);
        var other = e.Route(20);
        double drop = e.Order(100).PlannedDropoff;

        e.ChangeOrder(100, newReadyAt: 12, newSize: 2, now: 0.5);

        Assert.True(e.Order(100).PlannedDropoff >= drop + 8, $"{drop} -> {e.Order(100).PlannedDropoff}");
        Assert.Equal(other, e.Route(20));
        Assert.Equal(1, e.Exceptions.OrderChanges);
        e.Tick(1, ref sink);
        Assert.Contains(rec.Changes, c => c.Kind == PlanChangeKind.EtaChanged && c.OrderId == 100 && c.Reason == PlanChangeReason.OrderChanged);

        e.CancelOrder(100, 2);
        Assert.Empty(e.Route(10));
        Assert.Equal(0, e.Courier(10).PlannedStops);
        Assert.Equal(other, e.Route(20));
    }

    [Fact]
    public void A_size_only_change_of_an_open_order_is_accepted()
    {
        var e = EngineFactory.Create(DispatchProfile.General);
        e.AddSite(1, 0, 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 20, Size: 2), 0);
        e.ChangeOrder(100, null, 1, 1);
        Assert.Equal(OrderStatus.Open, e.GetOrderStatus(100));
        Assert.Equal(1, e.Exceptions.OrderChanges);
    }
}

/// <summary>A re-made order goes before a fresh one that competes for the same courier, under every profile.</summary>
public class RemadePriorityTests
{
    [Theory]
    [InlineData(DispatchProfile.Mdrp)]
    [InlineData(DispatchProfile.General)]
    [InlineData(DispatchProfile.Greedy)]
    public void A_remade_order_takes_the_one_free_courier_before_a_fresh_order_ready_earlier(DispatchProfile profile)
    {
        var e = EngineFactory.Create(profile);
        e.AddSite(1, 0, 5 * Min);    // the re-made order's restaurant, 5 minutes north of the courier that will take it
        e.AddSite(2, 0, -5 * Min);   // the fresh order's, 5 minutes south
        e.CourierOnShift(new CourierShift(10, 0, 5 * Min, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 10 * Min, 5 * Min, 0, 0), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);
        var v = e.Order(100);
        e.ConfirmPickup(100, v.PlannedPickup, v.PlannedPickup);
        e.DeliveryFailed(100, v.PlannedDropoff, DeliveryFailureReason.CustomerNotFound, v.PlannedDropoff, remadeReadyAt: 30);
        e.CourierOffShift(10, v.PlannedDropoff);
        // The only courier left starts at 25 between the two restaurants; the fresh order is ready a minute earlier.
        e.CourierOnShift(new CourierShift(20, 0, 0, 25, 300), v.PlannedDropoff);
        e.PlaceOrder(new OrderRequest(200, 2, 10 * Min, -5 * Min, 20, 29), 20);
        rec.Assignments.Clear();
        for (double t = v.PlannedDropoff; t < 60 && rec.Assignments.Count == 0; t++) e.Tick(t, ref sink);
        Assert.NotEmpty(rec.Assignments);
        var first = rec.Assignments[0];
        Assert.Equal(20, first.Info.CourierId);
        Assert.Equal(100, first.Stops[0].OrderId);
    }
}
