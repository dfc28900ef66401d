namespace Dispatch.Core.Tests;

/// <summary>
/// The Mdrp bundling window (<see cref="DispatchOptions.BundleReadyWindowMinutes"/>) bounds how long one order's food
/// waits for another's; food that is already waiting counts as ready now, so two orders of one site that are both ready
/// can share a courier however far apart their ready times were. At the end of a day, when the last courier can make one
/// more pickup, that is the difference between delivering both and losing one.
/// </summary>
public class BundleWindowTests
{
    /// <summary>
    /// One site; order 1 placed at 0, ready at 5; order 2 placed at 25, ready at <paramref name="ready2"/>. The only
    /// courier starts at the site at minute 30 and its shift ends at 36 (it can pick up once). Both drop-offs lie
    /// 5 minutes north of the site.
    /// </summary>
    private static Recorder Run(double ready2)
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(TestSpeed.Min),
            new DispatchOptions { Profile = DispatchProfile.Mdrp });
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(1, 0, 0, 30, 36), 0);
        e.PlaceOrder(new OrderRequest(1, 1, 0, 5 * Min, 0, 5), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        for (int t = 0; t <= 60; t++)
        {
            if (t == 25) e.PlaceOrder(new OrderRequest(2, 1, 0, 5 * Min + 100, 25, ready2), t);
            e.Tick(t, ref sink);
        }
        return rec;
    }

    [Fact]
    public void Two_orders_whose_food_is_already_waiting_share_the_last_pickup()
    {
        // Ready 25 minutes apart (the window is 12), but both ready when the courier arrives at 30.
        var rec = Run(ready2: 30);
        var a = Assert.Single(rec.Assignments);
        Assert.Equal(2, a.Info.OrderCount);
        Assert.Equal(30 + 2, a.Stops.Single(s => s.Kind == StopKind.Pickup && s.OrderId == 1).ServiceAt);
    }

    [Fact]
    public void An_order_ready_later_than_the_window_from_now_does_not_join()
    {
        // Order 2's food is ready 20 minutes after the courier could leave with order 1: order 1 goes alone.
        var rec = Run(ready2: 52);
        var a = Assert.Single(rec.Assignments);
        Assert.Equal(1, a.Info.OrderCount);
        Assert.Contains(a.Stops, s => s.OrderId == 1);
    }
}
