namespace Dispatch.Core.Tests;

/// <summary>What distinguishes the profiles: Greedy's nearest-idle rule, General's multi-site routes within capacity.</summary>
public class ProfileTests
{
    [Fact]
    public void Greedy_commits_a_ready_order_at_once_to_the_nearest_idle_courier()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 5 * Min, 0, 0, 200), 0);
        e.CourierOnShift(new CourierShift(11, 0, 2 * Min, 0, 200), 0);   // nearest
        e.CourierOnShift(new CourierShift(12, 9 * Min, 0, 0, 200), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 3 * Min, 3 * Min, 0, 0), 0);   // ready now: every courier must leave now
        e.PlaceOrder(new OrderRequest(101, 1, 4 * Min, 3 * Min, 0, 0), 0);
        var rec = new Recorder();
        var sink = new RecordingSink(rec);

        Assert.Equal(2, e.Tick(0, ref sink));

        Assert.Equal(2, rec.Assignments.Count);
        Assert.All(rec.Assignments, a => Assert.Equal(1, a.Info.OrderCount));
        Assert.Equal(11, e.Order(100).CourierId);   // oldest order to the nearest
        Assert.Equal(10, e.Order(101).CourierId);   // the nearest is busy now: the next nearest idle one

        // The last idle courier takes the next order, however far it is.
        e.PlaceOrder(new OrderRequest(102, 1, 0, 0, 1, 1), 1);
        e.Tick(1, ref sink);
        Assert.Equal(12, e.Order(102).CourierId);
        // With everybody busy, a new order stays open until somebody is free.
        e.PlaceOrder(new OrderRequest(103, 1, 0, 0, 2, 2), 2);
        e.Tick(2, ref sink);
        Assert.Equal(OrderStatus.Open, e.GetOrderStatus(103));
    }

    [Fact]
    public void Greedy_skips_a_courier_that_cannot_pick_up_before_its_shift_ends()
    {
        var e = EngineFactory.Create(DispatchProfile.Greedy);
        e.AddSite(1, 0, 0);
        e.CourierOnShift(new CourierShift(10, 0, 0, 0, 20), 0);           // at the site, but off at 20
        e.CourierOnShift(new CourierShift(11, 10 * Min, 0, 0, 200), 0);
        e.PlaceOrder(new OrderRequest(100, 1, 3 * Min, 0, 0, 30), 0);     // ready at 30
        var sink = new RecordingSink(new Recorder());
        EngineFactory.TickUntil(e, ref sink, 0, 30, () => e.GetOrderStatus(100) == OrderStatus.Assigned);
        Assert.Equal(11, e.Order(100).CourierId);
    }

    [Fact]
    public void General_builds_routes_with_pickups_at_several_sites()
    {
        // One courier; two orders at two nearby sites placed a minute apart: the second is inserted into the
        // courier's moving route, which then visits both sites before the drop-offs' end.
        var s = new Scenario(
            [new SiteSpec(1, 0, 0), new SiteSpec(2, 0, 2 * Min)],
            [new CourierSpec(10, 0, 0, 0, 300, 8)],
            [new OrderSpec(100, 1, 15 * Min, 0, 0, 0), new OrderSpec(101, 2, 15 * Min, 2 * Min, 1, 1)],
            4, 4, 320);
        var sim = new Simulation(s, DispatchProfile.General).Run();
        Assert.Empty(Invariants.Check(sim, DispatchProfile.General));
        Assert.Equal(2, sim.DroppedAt.Count);
        Assert.Contains(sim.Recorder.Assignments, a => a.Stops.Where(p => p.Kind == StopKind.Pickup).Select(p => p.SiteId).Distinct().Count() == 2);
        Assert.All(sim.Recorder.Assignments, a => Assert.True(a.Info.IsUpdate));
        // Both orders rode together: the second pickup happened before the first drop-off.
        Assert.True(sim.PickedAt[101] < sim.DroppedAt[100], $"picked 101 at {sim.PickedAt[101]}, dropped 100 at {sim.DroppedAt[100]}");
    }

    [Fact]
    public void General_never_lets_a_capacity_one_courier_carry_two_orders()
    {
        var rng = new Random(2024);
        for (int trial = 0; trial < 40; trial++)
        {
            var sites = RandomSpecs.Sites(rng, 3, extent: 4000);
            var orders = RandomSpecs.Orders(rng, 8, sites.Length, extent: 4000, placedWithin: 30, readyWithin: 10);
            var couriers = new[] { new CourierSpec(10, 2000, 2000, 0, 400, 1), new CourierSpec(11, 0, 0, 0, 400, 2) };
            var s = new Scenario(sites, couriers, orders, 4, 4, 320);
            var sim = new Simulation(s, DispatchProfile.General).Run();
            var v = Invariants.Check(sim, DispatchProfile.General);
            v.AddRange(CapacityCheck.Check(sim));
            // Every plan sent to courier 10 holds at most one order on board at any point.
            foreach (var a in sim.Recorder.Assignments.Where(a => a.Info.CourierId == 10))
            {
                int load = a.Stops.Count(p => p.Kind == StopKind.Dropoff && !a.Stops.Any(q => q.Kind == StopKind.Pickup && q.OrderId == p.OrderId));
                foreach (var p in a.Stops)
                {
                    load += p.Kind == StopKind.Pickup ? 1 : -1;
                    if (load > 1) v.Add($"plan #{a.Index} for courier 10 carries {load} orders after the pickup of {p.OrderId}");
                }
            }
            if (sim.DroppedAt.Count != orders.Length) v.Add($"{sim.DroppedAt.Count} of {orders.Length} delivered");
            Assert.True(v.Count == 0, string.Join("\n", v.Take(10)) + "\n" + s + sim.Describe());
        }
    }

    [Fact]
    public void General_picks_up_before_dropping_off_in_every_plan()
    {
        var rng = new Random(77);
        for (int trial = 0; trial < 30; trial++)
        {
            var sites = RandomSpecs.Sites(rng, 4, extent: 6000);
            var orders = RandomSpecs.Orders(rng, 15, sites.Length, extent: 6000, placedWithin: 40, readyWithin: 20);
            var couriers = Enumerable.Range(1, 3).Select(i => new CourierSpec(10 + i, rng.Next(0, 6000), rng.Next(0, 6000), 0, 300, 3)).ToArray();
            var sim = new Simulation(new Scenario(sites, couriers, orders, 4, 4, 320), DispatchProfile.General).Run();
            foreach (var a in sim.Recorder.Assignments)
                for (int i = 0; i < a.Stops.Length; i++)
                {
                    var p = a.Stops[i];
                    if (p.Kind != StopKind.Pickup) continue;
                    int d = Array.FindIndex(a.Stops, q => q.Kind == StopKind.Dropoff && q.OrderId == p.OrderId);
                    Assert.True(d > i, $"plan #{a.Index}: drop-off of {p.OrderId} at index {d}, pickup at {i}");
                }
            Assert.Equal(orders.Length, sim.DroppedAt.Count);
            Assert.Empty(Invariants.Check(sim, DispatchProfile.General));
        }
    }
}

/// <summary>The invariant checker used by the properties has teeth: it flags a tampered plan.</summary>
public class InvariantCheckerTests
{
    [Fact]
    public void A_tampered_plan_is_reported()
    {
        var s = new Scenario([new SiteSpec(1, 0, 0)], [new CourierSpec(10, 960, 0, 0, 300, 8)],
            [new OrderSpec(100, 1, 1600, 0, 0, 5)], 4, 4, 320);
        var sim = new Simulation(s, DispatchProfile.Mdrp).Run();
        Assert.Empty(Invariants.Check(sim, DispatchProfile.Mdrp));
        var stops = sim.Recorder.Assignments[0].Stops;
        stops[1] = stops[1] with { Arrival = stops[1].Arrival - 1 };
        Assert.Contains(Invariants.Check(sim, DispatchProfile.Mdrp), v => v.Contains("arrival"));
        stops[0] = stops[0] with { ServiceAt = 4 };
        Assert.Contains(Invariants.Check(sim, DispatchProfile.Mdrp), v => v.Contains("before ready"));
    }
}
