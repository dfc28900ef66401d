namespace Dispatch.Core.Tests;

/// <summary>
/// <c>CopyActiveCouriers</c>: the couriers on shift or scheduled, with where they are, their shift, capacity and planned
/// stops (what the cluster's hand-off moves between regions), ended ones left out, and no allocation.
/// </summary>
public class ActiveCouriersTests
{
    [Fact]
    public void Lists_couriers_on_shift_or_scheduled_with_their_shift_capacity_and_stops_and_leaves_out_ended_ones()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 3 * Min, 0, 100, Capacity: 3), 0);
        e.CourierOnShift(new CourierShift(11, 500, 500, 50, 120, Capacity: 2), 0);   // scheduled
        e.CourierOnShift(new CourierShift(12, 900, 900, 0, 100), 0);
        e.CourierOffShift(12, 1);
        e.PlaceOrder(new OrderRequest(100, 1, 5 * Min, 0, 0, 0), 1);
        var sink = new RecordingSink(new Recorder());
        e.Tick(1, ref sink);

        var buffer = new ActiveCourier[4];
        int n = e.CopyActiveCouriers(buffer);
        Assert.Equal(2, n);
        var busy = Assert.Single(buffer[..n], c => c.CourierId == 10);
        Assert.True(busy.OnShift);
        Assert.Equal((0.0, 100.0, 3, 2), (busy.ShiftStart, busy.ShiftEnd, busy.Capacity, busy.PlannedStops));
        var later = Assert.Single(buffer[..n], c => c.CourierId == 11);
        Assert.Equal(new ActiveCourier(11, false, 500, 500, 50, 120, 2, 0), later);

        // A span too small: the count says how large it must be, and only what fits is written.
        var one = new ActiveCourier[1];
        Assert.Equal(2, e.CopyActiveCouriers(one));
        long before = GC.GetAllocatedBytesForCurrentThread();
        e.CopyActiveCouriers(buffer);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
