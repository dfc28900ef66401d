namespace Dispatch.Core.Tests.Replanning;

/// <summary>
/// No pickup after shift end, also when a courier falls behind its plan: once its shift is over, the orders it
/// has not picked up go back to couriers on shift (<see cref="PlanChangeKind.Released"/>, reason
/// <see cref="PlanChangeReason.CourierOffline"/>, then <see cref="PlanChangeKind.Reassigned"/>); what it has
/// picked up it still delivers. With re-planning off too: a plan that cannot stand is never kept.
/// </summary>
public class ShiftEndTests
{
    [Theory]
    [InlineData(DispatchProfile.Mdrp, true)]
    [InlineData(DispatchProfile.Mdrp, false)]
    [InlineData(DispatchProfile.Greedy, true)]
    [InlineData(DispatchProfile.General, true)]
    public void A_courier_whose_shift_ends_before_its_pickup_hands_the_order_to_a_courier_on_shift(DispatchProfile profile, bool replanning)
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(Min), new DispatchOptions { Profile = profile, Replanning = replanning });
        WithCourierLeavingAt20(e, orderMinutesWest: 5);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);
        Assert.Equal(10, e.Order(100).CourierId);                            // the nearer courier, pickup at 10.5
        Assert.True(e.Order(100).PlannedPickup <= 20);

        // The courier never gets there (it is stuck, and reports nothing); at the shift's end the plan still holds.
        e.Tick(20, ref sink);
        Assert.Equal(10, e.Order(100).CourierId);
        Assert.Empty(rec.Changes);

        // Past the end of its shift it cannot pick up any more: the order goes to the courier on shift.
        e.Tick(21, ref sink);
        Assert.Equal(11, e.Order(100).CourierId);
        Assert.Equal(OrderStatus.Assigned, e.GetOrderStatus(100));
        Assert.Empty(e.Route(10));
        e.Tick(22, ref sink);
        Assert.Contains(new PlanChange(PlanChangeKind.Released, 100, 10, 21, PlanChangeReason.CourierOffline), rec.Changes);
        Assert.Contains(rec.Changes, c => c.Kind == PlanChangeKind.Reassigned && c.OrderId == 100 && c.CourierId == 11);
    }

    [Fact]
    public void Orders_picked_up_before_the_shift_ended_stay_with_their_courier()
    {
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        WithCourierLeavingAt20(e, orderMinutesWest: 15);
        var sink = new NullSink();
        e.Tick(0, ref sink);
        Assert.Equal(10, e.Order(100).CourierId);
        e.ConfirmPickup(100, 11);
        e.Tick(21, ref sink);                                                 // shift over, drop-off still ahead
        e.Tick(22, ref sink);
        Assert.Equal(OrderStatus.PickedUp, e.GetOrderStatus(100));
        Assert.Equal(10, e.Order(100).CourierId);
        e.ConfirmDropoff(100, 27);
        Assert.Equal(OrderStatus.Delivered, e.GetOrderStatus(100));
    }

    /// <summary>The re-planning engine learns before the shift ends that the pickup will be after it: a kitchen's
    /// delay or a courier far behind its plan puts the re-planned pickup past the shift's end. That plan cannot stand,
    /// so the order is released at once (reason: what moved it) and planned again, instead of waiting for the tick
    /// after the shift's end (minute 21 above) while the courier on shift could already have set off.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_re_plan_that_puts_a_pickup_after_the_shift_end_releases_the_order_at_once(bool kitchenDelay)
    {
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        WithCourierLeavingAt20(e, orderMinutesWest: 5);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);
        Assert.Equal(10, e.Order(100).CourierId);
        Assert.True(e.Order(100).PlannedPickup <= 20);

        if (kitchenDelay) e.ChangeReadyTime(100, 25, 5);                   // the food is ready at 25, after the shift
        else e.UpdateCourierPosition(10, 25 * Min, 0, 5);                  // 20 minutes behind: at the site at 30
        Assert.Equal(OrderStatus.Open, e.GetOrderStatus(100));
        Assert.Empty(e.Route(10));

        e.Tick(5, ref sink);
        var reason = kitchenDelay ? PlanChangeReason.ReadyTimeChanged : PlanChangeReason.CourierBehind;
        Assert.Contains(new PlanChange(PlanChangeKind.Released, 100, 10, 5, reason), rec.Changes);
        Assert.Equal(11, e.Order(100).CourierId);                            // must leave now to be there by 35
        Assert.Contains(rec.Changes, c => c.Kind == PlanChangeKind.Reassigned && c.OrderId == 100 && c.CourierId == 11);
    }

    /// <summary>A re-plan that keeps the pickup within the shift keeps the plan: the shift's end alone releases nothing.</summary>
    [Fact]
    public void A_re_plan_that_keeps_the_pickup_within_the_shift_keeps_the_order()
    {
        var e = EngineFactory.Create(DispatchProfile.Mdrp);
        WithCourierLeavingAt20(e, orderMinutesWest: 5);
        var sink = new NullSink();
        e.Tick(0, ref sink);
        e.ChangeReadyTime(100, 19, 5);
        Assert.Equal(10, e.Order(100).CourierId);
        Assert.Equal(19, e.Order(100).PlannedPickup);
    }

    /// <summary>Site 1 at the origin; courier 10 ten minutes east, its shift ending at 20; courier 11 thirty minutes north,
    /// on shift all day; order 100, ready at 0, dropped off <paramref name="orderMinutesWest"/> minutes west of the site.</summary>
    private static void WithCourierLeavingAt20(DispatchEngine<EuclideanCeilMinutes> e, double orderMinutesWest)
    {
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 10 * Min, 0, 0, 20), 0);
        e.CourierOnShift(new CourierShift(11, 0, 30 * Min, 0, 300), 0);
        e.PlaceOrder(new OrderRequest(100, 1, -orderMinutesWest * Min, 0, 0, 0), 0);
    }
}
