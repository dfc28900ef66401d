using static Dispatch.Core.Tests.Support.TestSpeed;

namespace Dispatch.Core.Tests.Promises;

/// <summary>
/// Quotes read the MDRP planner's provisional matching (<see cref="Dispatch.State.ProvisionalTrips"/>): an order the last
/// tick matched to a courier without sending it is served next by that courier, whatever its ready time, and the courier
/// is busy with it until the trip's last drop-off; the matching survives a snapshot; a courier that goes off shift drops
/// its trip, whose orders then queue again.
/// </summary>
public class ProvisionalMatchingTests
{
    /// <summary>One courier, busy with order 1 (10 minutes east) from minute 0; order 2 (ready at 20, 10 minutes north)
    /// placed at 1 and matched to it by the tick at 1, not sent (the courier is still on its way east).</summary>
    private static DispatchEngine<EuclideanCeilMinutes> BusyCourierWithANextTrip()
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(Min), new DispatchOptions { Profile = DispatchProfile.Mdrp });
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 300), 0);
        var sink = new DecisionLog().ToSink();
        e.PlaceOrder(new OrderRequest(1, 1, 10 * Min, 0, 0, 0), 0);
        e.Tick(0, ref sink);
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(1));
        e.PlaceOrder(new OrderRequest(2, 1, 0, 10 * Min, 1, 20), 1);
        e.Tick(1, ref sink);
        Assert.Equal(OrderStatus.Open, e.GetOrderStatus(2)); // matched, not sent
        return e;
    }

    [Fact]
    public void An_order_matched_but_not_sent_goes_first_and_holds_its_courier_until_the_trip_ends()
    {
        var e = BusyCourierWithANextTrip();
        var s = e.StateForQuotes;
        var plan = s.Provisional;
        int c = s.CourierIndex[10];
        Assert.True(plan.Holds(s.OrderIndex[2]));
        Assert.True(plan.HasTrip(c));
        double halfP = s.Options.PickupServiceMinutes * 0.5, halfD = s.Options.DropoffServiceMinutes * 0.5;
        // Free at order 1's drop-off plus half its service, 10 minutes back, then order 2's trip as the planner timed it.
        double free = e.Order(1).PlannedDropoff + halfD;
        Assert.Equal(Math.Max(20, free + 10 + halfP), plan.Pickup[c]);
        Assert.Equal(plan.Pickup[c] + halfP + 10 + halfD, plan.LastDrop[c]);

        // Order 3, ready at 1 (before order 2's 20, so first come, first served would put it first), 10 minutes west: it
        // cannot join order 2's trip (their ready times are more than the bundling window apart), so it waits for the
        // courier to finish that trip, drive 10 minutes back from the north and pick it up.
        var q = e.QuoteEstimate(1, -10 * Min, 0, 1, 1);
        double pickup = plan.LastDrop[c] + halfD + 10 + halfP;
        Assert.Equal(pickup + halfP + 10 + halfD, q.Dropoff);
        Assert.Equal(pickup - 1, q.Wait);
    }

    [Fact]
    public void A_snapshot_keeps_the_provisional_matching_and_so_the_quotes()
    {
        var e = BusyCourierWithANextTrip();
        using var ms = new MemoryStream();
        e.SaveSnapshot(ms);
        ms.Position = 0;
        var b = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(ms, new EuclideanCeilMinutes(Min), new DispatchOptions { Profile = DispatchProfile.Mdrp });
        Assert.True(b.StateForQuotes.Provisional.Holds(b.StateForQuotes.OrderIndex[2]));
        for (int k = 0; k < 4; k++)
            Assert.Equal(e.QuoteDropoff(1, -10 * Min + k * Min, k * Min, 1 + 5 * k, 1), b.QuoteDropoff(1, -10 * Min + k * Min, k * Min, 1 + 5 * k, 1));
    }

    [Fact]
    public void A_snapshot_whose_matching_names_a_courier_it_does_not_hold_is_refused_clearly()
    {
        var e = BusyCourierWithANextTrip();
        using var ms = new MemoryStream();
        e.SaveSnapshot(ms);
        byte[] bytes = ms.ToArray();
        // The held orders (slot, courier slot) come last but for the recent placements (a count, then two doubles each:
        // their times, then their leads)
        // and the trailer: the last held order's courier slot.
        BitConverter.GetBytes(99).CopyTo(bytes, bytes.Length - 4 - 16 * e.RecentPlacementsHeld - 4 - 4);
        var ex = Assert.Throws<InvalidDataException>(() => DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(new MemoryStream(bytes), new EuclideanCeilMinutes(Min), new DispatchOptions { Profile = DispatchProfile.Mdrp }));
        Assert.Contains("provisional trip of courier slot 99", ex.Message);
    }

    [Fact]
    public void A_courier_off_shift_drops_its_provisional_trip_and_its_orders_queue_again()
    {
        var e = BusyCourierWithANextTrip();
        double now = e.Order(1).PlannedPickup;
        e.ConfirmPickup(1, now, now); // courier 10 carries order 1 (it still delivers it off shift)
        e.CourierOnShift(new CourierShift(20, 0, 0, now, 300), now); // a second courier, at the site
        e.CourierOffShift(10, now);
        var s = e.StateForQuotes;
        Assert.False(s.Provisional.HasTrip(s.CourierIndex[10]));
        Assert.False(s.Provisional.Holds(s.OrderIndex[2]));
        // Order 2 queues again: courier 20 takes it at the site when it is ready (20) and is free again after its drop-off
        // 10 minutes north; order 3 (ready at 25, after order 2's pickup, so not in its bundle) waits for it to drive back.
        double halfP = s.Options.PickupServiceMinutes * 0.5, halfD = s.Options.DropoffServiceMinutes * 0.5;
        double free = 20 + halfP + 10 + halfD + halfD;
        var q = e.QuoteEstimate(1, -10 * Min, 0, 25, now);
        Assert.Equal(free + 10 + halfP + halfP + 10 + halfD, q.Dropoff);
    }

    /// <summary>A change to an order in a provisional trip (its ready time, or a cancel) makes the trip the planner matched
    /// no longer the one it would match: the courier drops it until the next tick, and the quote sees the courier free
    /// after its committed plan (order 1's drop-off), as without a matching.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_changed_or_cancelled_order_in_a_provisional_trip_drops_the_trip(bool cancel)
    {
        var e = BusyCourierWithANextTrip();
        var s = e.StateForQuotes;
        int c = s.CourierIndex[10];
        if (cancel) e.CancelOrder(2, 1);
        else e.ChangeReadyTime(2, 40, 1);
        Assert.False(s.Provisional.HasTrip(c));
        Assert.False(s.Provisional.Holds(s.OrderIndex[2]));
        // Order 3, ready at 1, 10 minutes west: the courier drives back from order 1's drop-off and takes it first come,
        // first served (order 2, if still open, is ready later).
        double halfP = s.Options.PickupServiceMinutes * 0.5, halfD = s.Options.DropoffServiceMinutes * 0.5;
        double free = e.Order(1).PlannedDropoff + halfD;
        var q = e.QuoteEstimate(1, -10 * Min, 0, 1, 1);
        Assert.Equal(free + 10 + halfP + halfP + 10 + halfD, q.Dropoff);
    }
}
