namespace Dispatch.Core.Tests;

/// <summary>
/// <c>CopySites</c> and <c>CopyOpenOrders</c>: the engine's picture for a host that did not hear every event (the live
/// view after a restart): the sites, and the orders still in work with their status, courier and pickup time; finished
/// ones left out, a short span told how long it must be, and no allocation.
/// </summary>
public class OpenOrdersTests
{
    [Fact]
    public void Lists_the_sites_and_the_orders_in_work_with_status_courier_and_pickup_and_leaves_out_finished_ones()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.AddSite(1, 0, 0);
        e.AddSite(2, 700, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 600, Capacity: 1), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 0), 0);   // assigned, then picked up
        e.PlaceOrder(new OrderRequest(101, 2, 0, 5 * Min, 0, 30), 0);  // open (the only courier is busy)
        e.PlaceOrder(new OrderRequest(102, 1, 3 * Min, 0, 0, 0), 0);   // cancelled
        e.CancelOrder(102, 0);
        var sink = new RecordingSink(new Recorder());
        e.Tick(1, ref sink);
        Assert.True(e.TryGetOrder(100, out var assigned) && assigned.CourierId == 10);
        e.ConfirmPickup(100, 2, 2);

        var sites = new SiteInfo[4];
        Assert.Equal(2, e.CopySites(sites));
        Assert.Equal([new SiteInfo(1, 0, 0), new SiteInfo(2, 700, 0)], sites[..2]);

        var buffer = new OpenOrder[4];
        int n = e.CopyOpenOrders(buffer);
        Assert.Equal(2, n);
        Assert.Equal(new OpenOrder(100, 1, 5 * Min, 0, 0, 0, OrderStatus.PickedUp, 10, 2), buffer.Single(o => o.OrderId == 100));
        var open = buffer.Single(o => o.OrderId == 101);
        Assert.Equal((OrderStatus.Open, -1L, 2L, 30.0), (open.Status, open.CourierId, open.SiteId, open.ReadyAt));
        Assert.True(double.IsNaN(open.PickedUpAt));

        // A span too small: the count says how large it must be, and only what fits is written.
        Assert.Equal(2, e.CopyOpenOrders(new OpenOrder[1]));
        long before = GC.GetAllocatedBytesForCurrentThread();
        e.CopyOpenOrders(buffer);
        e.CopySites(sites);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
