namespace Dispatch.Core.Tests;

/// <summary>
/// Mdrp bundling values a courier it frees by what that courier would save the waiting order it helps most
/// (<see cref="DispatchOptions.FreedCourierRescue"/>), not only by how short couriers are overall.
/// </summary>
public class FreedCourierRescueTests
{
    /// <summary>
    /// Two orders at site A ready at 5, one at site B (5 minutes east) ready at 5. Courier 1 waits at A, courier 2 is
    /// 2 minutes from A and 3 from B, courier 3 is 35 minutes from B. Three orders, three couriers: no pressure, so a
    /// freed courier is worth nothing by the pressure rule, and each order gets its own courier (order 3 the far one).
    /// Bundling orders 1 and 2 on courier 1 frees courier 2 for order 3, 32 minutes sooner: with the rescue value it does.
    /// </summary>
    private static Recorder Run(bool rescue)
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(TestSpeed.Min),
            new DispatchOptions { Profile = DispatchProfile.Mdrp, FreedCourierRescue = rescue });
        e.AddSite(1, 0, 0);
        e.AddSite(2, 5 * Min, 0);
        e.CourierOnShift(new CourierShift(1, 0, 0, 0, 200), 0);
        e.CourierOnShift(new CourierShift(2, 2 * Min, 0, 0, 200), 0);
        e.CourierOnShift(new CourierShift(3, 40 * Min, 0, 0, 200), 0);
        e.PlaceOrder(new OrderRequest(1, 1, 0, 5 * Min, 0, 5), 0);
        e.PlaceOrder(new OrderRequest(2, 1, 0, 6 * Min, 0, 5), 0);
        e.PlaceOrder(new OrderRequest(3, 2, 5 * Min, 5 * Min, 0, 5), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        for (int t = 0; t <= 6; t++) e.Tick(t, ref sink);
        return rec;
    }

    private static long CourierOf(Recorder rec, long order) =>
        rec.Assignments.Single(a => a.Stops.Any(s => s.Kind == StopKind.Pickup && s.OrderId == order)).Info.CourierId;

    [Fact]
    public void A_bundle_frees_the_courier_a_waiting_order_needs()
    {
        var rec = Run(rescue: true);
        Assert.Equal(2, rec.Assignments.Count);
        Assert.Equal(1, CourierOf(rec, 1));
        Assert.Equal(1, CourierOf(rec, 2));
        Assert.Equal(2, CourierOf(rec, 3));
        // Order 3 picked up at its ready time by the near courier, not half an hour later by the far one.
        var pickup3 = rec.Assignments.Single(a => a.Info.CourierId == 2).Stops.Single(s => s.Kind == StopKind.Pickup).ServiceAt;
        Assert.Equal(5, pickup3);
    }

    [Fact]
    public void Without_the_rescue_value_each_order_keeps_its_own_courier()
    {
        var rec = Run(rescue: false);
        Assert.NotEqual(CourierOf(rec, 1), CourierOf(rec, 2));
        Assert.All(rec.Assignments, a => Assert.Equal(1, a.Info.OrderCount));
    }

    [Fact]
    public void The_same_inputs_give_the_same_decisions()
    {
        static string Decisions(Recorder r) => string.Join(';', r.Assignments.Select(a =>
            $"{a.Info.CourierId}@{a.Info.AssignedAt}:" + string.Join(',', a.Stops.Select(s => $"{s.Kind}{s.OrderId}/{s.ServiceAt}"))));
        Assert.Equal(Decisions(Run(rescue: true)), Decisions(Run(rescue: true)));
    }
}
