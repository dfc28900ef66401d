namespace Dispatch.Core.Tests.Replanning;

/// <summary>
/// A re-plan touches only the courier concerned: after one courier of many goes off shift (or reports a
/// position far behind, or loses an order to a cancellation), every other courier's route and view and every
/// order not on the affected courier are exactly as before; on the affected courier, picked-up orders stay
/// and the others are released (off shift) or keep their courier (behind, cancel).
/// </summary>
public class ReplanIsolationTests
{
    private sealed record World(DispatchEngine<EuclideanCeilMinutes> Engine, long[] Couriers, long[] Orders, Recorder Rec, double Now);

    /// <summary>12 couriers, 3 sites, 40 orders over 25 minutes; couriers execute their plans; stops at minute <paramref name="until"/>.</summary>
    private static World Busy(DispatchProfile profile, int seed, double until = 25)
    {
        var rng = new Random(seed);
        var e = EngineFactory.Create(profile);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);
        for (int s = 1; s <= 3; s++) e.AddSite(s, rng.Next(0, 8000), rng.Next(0, 8000));
        var couriers = Enumerable.Range(1, 12).Select(i => 10L + i).ToArray();
        foreach (long c in couriers) e.CourierOnShift(new CourierShift(c, rng.Next(0, 8000), rng.Next(0, 8000), 0, 300, 3), 0);
        var orders = new List<(long Id, OrderRequest Req)>();
        for (int o = 0; o < 40; o++)
        {
            double placed = rng.Next(0, 20);
            orders.Add((1000 + o, new OrderRequest(1000 + o, rng.Next(1, 4), rng.Next(0, 8000), rng.Next(0, 8000), placed, placed + rng.Next(0, 12))));
        }
        for (double t = 0; t <= until; t++)
        {
            foreach (var (_, req) in orders) if (req.PlacedAt == t) e.PlaceOrder(req, t);
            foreach (long c in couriers)
            {
                for (int g = 0; g < 32; g++)
                {
                    var r = e.Route(c);
                    if (r.Length == 0 || r[0].ServiceAt > t) break;
                    if (r[0].Kind == StopKind.Pickup) e.ConfirmPickup(r[0].OrderId, r[0].ServiceAt);
                    else e.ConfirmDropoff(r[0].OrderId, r[0].ServiceAt);
                }
            }
            e.Tick(t, ref sink);
        }
        return new World(e, couriers, orders.Select(o => o.Id).ToArray(), rec, until);
    }

    private static Dictionary<long, OrderView> OrderViews(World w) => w.Orders.ToDictionary(o => o, o => w.Engine.Order(o));
    private static Dictionary<long, (CourierView View, PlannedStop[] Route)> CourierViews(World w) =>
        w.Couriers.ToDictionary(c => c, c => (w.Engine.Courier(c), w.Engine.Route(c)));

    /// <summary>The courier with the most orders on its route, preferring one carrying a picked-up order.</summary>
    private static long Victim(World w) =>
        w.Couriers.OrderByDescending(c => w.Engine.Route(c).Any(s => s.Kind == StopKind.Dropoff && w.Engine.GetOrderStatus(s.OrderId) == OrderStatus.PickedUp) ? 1 : 0)
            .ThenByDescending(c => w.Engine.Route(c).Count(s => s.Kind == StopKind.Pickup))
            .ThenBy(c => c)
            .First();

    /// <summary>
    /// Applies <paramref name="replan"/> (an event for <paramref name="victim"/> or one of its orders), asserts that
    /// every other courier and every order not on <paramref name="victim"/> is exactly as before, and returns the
    /// orders' views from before.
    /// </summary>
    private static Dictionary<long, OrderView> ReplanOnly(World w, long victim, Action replan)
    {
        var ordersBefore = OrderViews(w);
        var couriersBefore = CourierViews(w);
        replan();
        OthersUntouched(w, victim, ordersBefore, couriersBefore);
        return ordersBefore;
    }

    private static void OthersUntouched(World w, long victim, Dictionary<long, OrderView> ordersBefore, Dictionary<long, (CourierView View, PlannedStop[] Route)> couriersBefore)
    {
        foreach (var (c, (view, route)) in couriersBefore)
        {
            if (c == victim) continue;
            Assert.Equal(view, w.Engine.Courier(c));
            Assert.Equal(route, w.Engine.Route(c));
        }
        foreach (var (o, view) in ordersBefore)
            if (view.CourierId != victim) Assert.Equal(view, w.Engine.Order(o));
    }

    [Theory]
    [InlineData(DispatchProfile.Mdrp, 1)]
    [InlineData(DispatchProfile.Greedy, 2)]
    [InlineData(DispatchProfile.General, 3)]
    [InlineData(DispatchProfile.General, 4)]
    public void Going_off_shift_changes_only_that_couriers_orders(DispatchProfile profile, int seed)
    {
        var w = Busy(profile, seed);
        long victim = Victim(w);
        var mine = OrderViews(w).Where(kv => kv.Value.CourierId == victim).ToDictionary();
        Assert.NotEmpty(mine);
        int changesBefore = w.Rec.Changes.Count;

        ReplanOnly(w, victim, () => w.Engine.CourierOffShift(victim, w.Now + 0.5));

        foreach (var (o, before) in mine)
        {
            var now = w.Engine.Order(o);
            if (before.Status == OrderStatus.Delivered) Assert.Equal(before, now);
            else if (before.Status == OrderStatus.PickedUp)
            {
                Assert.Equal((OrderStatus.PickedUp, victim), (now.Status, now.CourierId));   // still delivers what it carries
                Assert.Contains(w.Engine.Route(victim), s => s.OrderId == o && s.Kind == StopKind.Dropoff);
            }
            else
            {
                Assert.Equal((OrderStatus.Open, -1L), (now.Status, now.CourierId));
                Assert.DoesNotContain(w.Engine.Route(victim), s => s.OrderId == o);
            }
        }
        Assert.All(w.Engine.Route(victim), s => Assert.Equal(StopKind.Dropoff, s.Kind));
        Assert.False(w.Engine.Courier(victim).OnShift);

        // The next tick reports a release for each order it had not picked up, and nothing about anyone else's orders.
        var sink = new RecordingSink(w.Rec);
        w.Engine.Tick(w.Now + 1, ref sink);
        // (General profile: the tick's improvement moves may also move other orders, reason Improvement: another mechanism.)
        var reported = w.Rec.Changes.Skip(changesBefore).Where(c => c.Reason != PlanChangeReason.Improvement).ToList();
        var released = reported.Where(c => c.Kind == PlanChangeKind.Released).ToList();
        Assert.Equal(mine.Where(kv => kv.Value.Status == OrderStatus.Assigned).Select(kv => kv.Key).Order(), released.Select(c => c.OrderId).Order());
        Assert.All(released, c => Assert.Equal((victim, PlanChangeReason.CourierOffline), (c.CourierId, c.Reason)));
        Assert.All(reported, c => Assert.True(mine.ContainsKey(c.OrderId), $"change about order {c.OrderId}, not the off-shift courier's: {c}"));
        Assert.All(reported.Where(c => c.Kind == PlanChangeKind.Reassigned), c =>
        {
            Assert.Equal(victim, (long)c.PreviousTime);
            Assert.NotEqual(victim, c.CourierId);
        });
    }

    [Theory]
    [InlineData(DispatchProfile.Mdrp, 5)]
    [InlineData(DispatchProfile.General, 6)]
    public void Falling_behind_re_plans_only_that_courier(DispatchProfile profile, int seed)
    {
        var w = Busy(profile, seed);
        long victim = Victim(w);
        double freeAtBefore = w.Engine.Courier(victim).FreeAt;
        var ordersBefore = ReplanOnly(w, victim, () => w.Engine.UpdateCourierPosition(victim, -30_000, -30_000, w.Now + 0.5));
        foreach (var (o, before) in ordersBefore.Where(kv => kv.Value.CourierId == victim))
        {
            var now = w.Engine.Order(o);
            if (before.Status == OrderStatus.Delivered) Assert.Equal(before, now);
            else if (before.Status == OrderStatus.PickedUp) Assert.Equal((OrderStatus.PickedUp, victim), (now.Status, now.CourierId));
            else Assert.True(now.CourierId == victim || (now.Status == OrderStatus.Open && now.CourierId == -1), $"order {o}: {now}");
        }
        Assert.True(w.Engine.Courier(victim).FreeAt > freeAtBefore);
    }

    [Theory]
    [InlineData(DispatchProfile.Greedy, 7)]
    [InlineData(DispatchProfile.General, 8)]
    public void A_cancellation_re_plans_only_that_orders_courier(DispatchProfile profile, int seed)
    {
        var w = Busy(profile, seed);
        var assigned = w.Orders.Where(o => w.Engine.GetOrderStatus(o) == OrderStatus.Assigned).ToArray();
        Assert.NotEmpty(assigned);
        long order = assigned[0];
        long victim = w.Engine.Order(order).CourierId;
        var ordersBefore = ReplanOnly(w, victim, () => w.Engine.CancelOrder(order, w.Now + 0.5));
        Assert.Equal(OrderStatus.Cancelled, w.Engine.GetOrderStatus(order));
        foreach (var (o, before) in ordersBefore.Where(kv => kv.Value.CourierId == victim && kv.Key != order))
            Assert.Equal((before.Status, victim), (w.Engine.Order(o).Status, w.Engine.Order(o).CourierId));
    }
}
