using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Travel;

namespace Dispatch.Core.Tests;

public class SmokeTests
{
    private struct CountingSink : IAssignmentSink
    {
        public int Assignments;
        public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) => Assignments++;
        public void OnPlanChange(in PlanChange change) { }
    }

    [Fact]
    public void A_single_order_is_committed_once_its_courier_must_leave()
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320));
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(7, 3200, 0, 0, 100), 0);   // 10 minutes from the site
        e.PlaceOrder(new OrderRequest(1, 1, 640, 0, 0, 20), 0);       // ready at 20
        var sink = new CountingSink();
        for (int t = 0; t < 7; t++) e.Tick(t, ref sink);
        Assert.Equal(0, sink.Assignments);                             // leaving before 8 would wait at the site
        for (int t = 7; t <= 10; t++) e.Tick(t, ref sink);
        Assert.Equal(1, sink.Assignments);
        Assert.True(e.TryGetOrder(1, out var view));
        Assert.Equal(OrderStatus.Assigned, view.Status);
        Assert.Equal(7, view.CourierId);
        Assert.Equal(20, view.PlannedPickup);
    }
}
