namespace Dispatch.Core.Tests;

/// <summary>
/// Of two couriers equally cheap for a bundle, the Mdrp planner's second matching takes the one fewer open orders list as
/// a candidate, and leaves the contested courier to the orders that need it.
/// </summary>
public class ContentionTieBreakTests
{
    /// <summary>
    /// Site A at 0 and site B 10 minutes east, one order each, ready now. Courier 1 is 5 minutes west of A, courier 2 halfway
    /// between the sites (5 minutes from each), courier 3 5 minutes east of B. Two candidates per site: A lists couriers 1
    /// and 2, B lists 2 and 3. For A, couriers 1 and 2 cost the same; for B, couriers 2 and 3. Courier 2 is the one both
    /// sites list, so it is the one left free: A takes 1, B takes 3.
    /// </summary>
    [Fact]
    public void Of_two_equally_cheap_couriers_the_one_fewer_orders_could_use_is_taken()
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(TestSpeed.Min),
            new DispatchOptions { Profile = DispatchProfile.Mdrp, CandidateCouriersPerSite = 2 });
        e.AddSite(1, 0, 0);
        e.AddSite(2, 10 * Min, 0);
        e.CourierOnShift(new CourierShift(1, -5 * Min, 0, 0, 200), 0);
        e.CourierOnShift(new CourierShift(2, 5 * Min, 0, 0, 200), 0);
        e.CourierOnShift(new CourierShift(3, 15 * Min, 0, 0, 200), 0);
        e.PlaceOrder(new OrderRequest(1, 1, 0, 5 * Min, 0, 0), 0);
        e.PlaceOrder(new OrderRequest(2, 2, 10 * Min, 5 * Min, 0, 0), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        e.Tick(0, ref sink);

        Assert.Equal(2, rec.Assignments.Count);
        long CourierOf(long order) => rec.Assignments.Single(a => a.Stops.Any(s => s.Kind == StopKind.Pickup && s.OrderId == order)).Info.CourierId;
        Assert.Equal(1, CourierOf(1));
        Assert.Equal(3, CourierOf(2));
        // Equally cheap indeed: both pickups 5 minutes from now (plus half the pickup service), as with the other courier.
        Assert.All(rec.Assignments, a => Assert.Equal(7, a.Stops.Single(s => s.Kind == StopKind.Pickup).ServiceAt));
    }
}
