namespace Dispatch.Core.Tests;

/// <summary>
/// Finished orders leave the engine after <see cref="DispatchOptions.FinishedOrderRetentionMinutes"/>: queries
/// forget them, their slots are reused, and nothing the engine decides changes.
/// </summary>
public class RetentionTests
{
    /// <summary>An engine on the MDRP travel rule (320 m/min) keeping finished orders <paramref name="retention"/> minutes.</summary>
    internal static DispatchEngine<EuclideanCeilMinutes> Engine(double retention, DispatchProfile profile = DispatchProfile.Mdrp) =>
        new(new EuclideanCeilMinutes(320), new DispatchOptions { Profile = profile, FinishedOrderRetentionMinutes = retention });

    /// <summary>
    /// <see cref="Engine"/> with a restaurant at the origin, courier 7 on shift from 0 to 600 beside it, orders 100 (drop-off
    /// 1000 m east) and 101 (<paramref name="secondDropX"/> m east) placed and ready at 0, and the tick at 0 that plans them.
    /// </summary>
    internal static DispatchEngine<EuclideanCeilMinutes> TwoOrdersTicked(double retention, double secondDropX)
    {
        var e = Engine(retention);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(7, 0, 0, 0, 600), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 1000, 0, 0, 0), 0);
        e.PlaceOrder(new OrderRequest(101, 1, secondDropX, 0, 0, 0), 0);
        var sink = new NullSink();
        e.Tick(0, ref sink);
        return e;
    }

    [Fact]
    public void A_finished_order_is_known_for_the_retention_window_then_forgotten_and_its_id_free_again()
    {
        var e = TwoOrdersTicked(retention: 30, secondDropX: 1000);
        var sink = new NullSink();
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(100));
        e.CancelOrder(101, 1);
        e.ConfirmPickup(100, 2);
        e.ConfirmDropoff(100, 10);

        e.Tick(39, ref sink); // delivered at 10: known until 40
        Assert.Equal(OrderStatus.Delivered, e.GetOrderStatus(100));
        Assert.Throws<DispatchException>(() => e.PlaceOrder(new OrderRequest(100, 1, 0, 0, 39, 39), 39));
        e.Tick(40, ref sink);
        Assert.Equal(OrderStatus.Unknown, e.GetOrderStatus(100));
        Assert.False(e.TryGetOrder(100, out _));
        Assert.Equal(OrderStatus.Unknown, e.GetOrderStatus(101)); // cancelled at 1
        var counts = e.Counts;
        Assert.Equal((2, 1, 1), (counts.Known, counts.Delivered, counts.Cancelled));

        // The id is free again, and the new order takes a freed slot.
        e.PlaceOrder(new OrderRequest(100, 1, 500, 0, 40, 45), 40);
        Assert.Equal(OrderStatus.Open, e.GetOrderStatus(100));
        Assert.Equal(2, e.OrderSlots);
        Assert.Equal(3, e.Counts.Known);
    }

    [Fact]
    public void A_courier_off_shift_is_forgotten_once_its_last_drop_off_is_a_retention_window_old_and_its_slot_reused()
    {
        var e = Engine(retention: 30);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(7, 0, 0, 0, 600), 0);
        e.CourierOnShift(new CourierShift(8, 5000, 5000, 0, 600), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 3000, 0, 0, 0), 0);
        var sink = new NullSink();
        e.Tick(0, ref sink);
        e.ConfirmPickup(100, 2);
        e.CourierOffShift(7, 3);                     // still carries order 100
        e.CourierOffShift(8, 3);                     // nothing planned
        e.Tick(33, ref sink);                        // 8 ended at 3: forgotten at 33; 7 still delivering
        Assert.False(e.TryGetCourier(8, out _));
        Assert.True(e.TryGetCourier(7, out _));
        e.ConfirmDropoff(100, 40, 40);
        e.Tick(69, ref sink);                        // 7's retention counts from its last drop-off, 40
        Assert.True(e.TryGetCourier(7, out _));
        e.Tick(70, ref sink);
        Assert.False(e.TryGetCourier(7, out _));
        Assert.Equal(0, e.Counts.Couriers);

        // The ids may start new shifts; the new couriers take the freed slots.
        e.CourierOnShift(new CourierShift(9, 0, 0, 70, 600), 70);
        e.CourierOnShift(new CourierShift(7, 0, 0, 70, 600), 70);
        Assert.Equal(2, e.CourierSlots);
        Assert.Equal(2, e.Counts.Couriers);
    }

    [Theory]
    [InlineData(DispatchProfile.Mdrp)]
    [InlineData(DispatchProfile.General)]
    [InlineData(DispatchProfile.Greedy)]
    [InlineData(DispatchProfile.Reyes)]
    public void Forgetting_finished_orders_changes_no_decision_and_bounds_the_order_slots(DispatchProfile profile)
    {
        var keepAll = Engine(double.PositiveInfinity, profile);
        var forget = Engine(0, profile);
        var logAll = Run(keepAll, 0, Minutes);
        var logForget = Run(forget, 0, Minutes);

        Assert.Equal(logAll.Lines, logForget.Lines);
        Assert.Equal(keepAll.Counts, forget.Counts);
        Assert.True(keepAll.Counts.Delivered > Orders / 2, $"the run delivers: {keepAll.Counts}");
        Assert.Equal(Orders, keepAll.OrderSlots);
        // Slots follow open work (a few dozen orders at a time), not the 2,000 placed.
        Assert.True(forget.OrderSlots < Orders / 5, $"{forget.OrderSlots} slots for {Orders} orders");
    }

    [Fact]
    public void An_engine_restored_mid_run_with_freed_slots_decides_exactly_like_the_original()
    {
        var a = Engine(retention: 5);
        var logA = Run(a, 0, Minutes / 2);
        Assert.True(a.OrderSlots < Orders / 4, $"slots were freed and reused before the cut: {a.OrderSlots}");
        using var snapshot = new MemoryStream();
        a.SaveSnapshot(snapshot);
        snapshot.Position = 0;
        var b = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(snapshot, new EuclideanCeilMinutes(320), a.Options);
        Assert.Equal(a.Counts, b.Counts);
        Assert.Equal(a.OrderSlots, b.OrderSlots);

        var logB = new DecisionLog();
        logB.Due.AddRange(logA.Due);
        int before = logA.Lines.Count;
        Run(a, Minutes / 2, Minutes, logA);
        Run(b, Minutes / 2, Minutes, logB);
        Assert.Equal(logA.Lines.Skip(before), logB.Lines);
        Assert.Equal(a.Counts, b.Counts);
    }

    private const int Orders = 2000, Minutes = 1100, Couriers = 60, Sites = 15;

    /// <summary>2,000 orders over 1,000 minutes (2 a minute), couriers that confirm every stop at its planned time.
    /// The same seed every time: two engines see the same events as long as they decide the same.</summary>
    private static DecisionLog Run(DispatchEngine<EuclideanCeilMinutes> e, int from, int to, DecisionLog? log = null)
    {
        var rng = new Random(11);
        var orders = Enumerable.Range(0, Orders).Select(i =>
        {
            int placed = i / 2;
            return new OrderRequest(i, rng.Next(Sites), rng.Next(6000), rng.Next(6000), placed, placed + 5 + rng.Next(15));
        }).ToArray();
        if (from == 0)
        {
            for (int s = 0; s < Sites; s++) e.AddSite(s, rng.Next(6000), rng.Next(6000));
            for (int c = 0; c < Couriers; c++) e.CourierOnShift(new CourierShift(c, rng.Next(6000), rng.Next(6000), 0, 1200, 2), 0);
        }
        log ??= new DecisionLog();
        var sink = log.ToSink();
        for (int t = from; t < to; t++)
        {
            log.ConfirmDue(e, t);
            foreach (var o in orders.Where(o => o.PlacedAt == t)) e.PlaceOrder(o, t);
            if (t % 97 == 50 && e.GetOrderStatus(t) is OrderStatus.Open or OrderStatus.Assigned) e.CancelOrder(t, t);
            e.Tick(t, ref sink);
        }
        return log;
    }
}
