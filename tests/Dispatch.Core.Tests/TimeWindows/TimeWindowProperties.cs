namespace Dispatch.Core.Tests.TimeWindows;

/// <summary>
/// The general profile in an unchanging world (the couriers confirm every stop at its planned instant) on
/// random instances whose orders carry time windows, some too tight for any courier: no plan the engine
/// commits or updates ever breaks a hard window (no pickup after PickupBy, no drop-off after DeliverBy, none
/// before DeliverAfter), and neither does what the couriers then do; the usual invariants and capacity hold.
/// The improvement moves never raise the objective, never move the stop a courier is heading to, never give
/// a picked-up order to another courier, and leave every order on exactly one route, its courier's.
/// </summary>
public class TimeWindowProperties
{
    private const double Eps = 1e-9;

    /// <summary>Every window in every plan the sink received, and in what the couriers did.</summary>
    internal static List<string> WindowViolations(Simulation sim)
    {
        var v = new List<string>();
        var orders = sim.Scenario.Orders.ToDictionary(o => o.Id);
        foreach (var a in sim.Recorder.Assignments)
        {
            foreach (var s in a.Stops)
            {
                var o = orders[s.OrderId];
                string at = $"assignment #{a.Index} (courier {a.Info.CourierId} at {a.Info.AssignedAt}): {s.Kind} of order {o.Id} at {s.ServiceAt}";
                if (s.Kind == StopKind.Pickup && s.ServiceAt > o.PickupBy + Eps) v.Add($"{at}, after its PickupBy {o.PickupBy}");
                if (s.Kind == StopKind.Dropoff && s.ServiceAt > o.DeliverBy + Eps) v.Add($"{at}, after its DeliverBy {o.DeliverBy}");
                if (s.Kind == StopKind.Dropoff && s.ServiceAt < o.DeliverAfter - Eps) v.Add($"{at}, before its DeliverAfter {o.DeliverAfter}");
            }
        }
        foreach (var (id, t) in sim.PickedAt) if (t > orders[id].PickupBy + Eps) v.Add($"order {id} picked up at {t}, after {orders[id].PickupBy}");
        foreach (var (id, t) in sim.DroppedAt)
        {
            if (t > orders[id].DeliverBy + Eps) v.Add($"order {id} dropped off at {t}, after {orders[id].DeliverBy}");
            if (t < orders[id].DeliverAfter - Eps) v.Add($"order {id} dropped off at {t}, before {orders[id].DeliverAfter}");
        }
        return v;
    }

    private static void AssertNone(Simulation sim, List<string> v)
    {
        if (v.Count == 0) return;
        Assert.Fail($"{v.Count} violation(s):\n  {string.Join("\n  ", v.Take(15))}\n{sim.Scenario}{sim.Describe()}");
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void General_profile_never_commits_a_plan_that_breaks_a_window(WindowedScenario w)
    {
        var sim = new Simulation(w.Scenario, DispatchProfile.General).Run();
        var v = Invariants.Check(sim, DispatchProfile.General);
        v.AddRange(CapacityCheck.Check(sim));
        v.AddRange(WindowViolations(sim));
        AssertNone(sim, v);
    }

    [Property(MaxTest = 60, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void General_profile_with_four_times_the_moves_never_breaks_a_window(WindowedScenario w)
    {
        var sim = new Simulation(w.Scenario, DispatchProfile.General, improvementMoves: 4 * DispatchOptions.DefaultGeneralImprovementMovesPerTick).Run();
        var v = Invariants.Check(sim, DispatchProfile.General);
        v.AddRange(CapacityCheck.Check(sim));
        v.AddRange(WindowViolations(sim));
        AssertNone(sim, v);
    }

    /// <summary>
    /// Ticks plan with no improvement budget; after each, the test runs the moves itself and compares the
    /// state before and after them.
    /// </summary>
    private static Simulation ImproveAfterEveryTick(Scenario s, int moves, out List<string> v)
    {
        var found = new List<string>();
        Simulation? sim = null;
        sim = new Simulation(s, DispatchProfile.General, improvementMoves: 0)
        {
            AfterTick = (now, sink) =>
            {
                var e = sim!.Engine;
                var couriers = s.Couriers.Select(c => c.Id).ToArray();
                var heads = couriers.ToDictionary(c => c, c => e.Route(c).Select(x => (x.OrderId, x.Kind)).FirstOrDefault((-1L, StopKind.Pickup)));
                var carried = s.Orders.Where(o => e.GetOrderStatus(o.Id) == OrderStatus.PickedUp).ToDictionary(o => o.Id, o => e.Order(o.Id).CourierId);
                double before = e.RouteObjective(now);
                e.ImproveRoutes(now, moves, ref sink);
                double after = e.RouteObjective(now);
                if (after > before + 1e-6) found.Add($"t={now}: the moves raised the objective from {before} to {after}");
                foreach (long c in couriers)
                {
                    var head = e.Route(c).Select(x => (x.OrderId, x.Kind)).FirstOrDefault((-1L, StopKind.Pickup));
                    // (An idle courier may be given an order it must leave for now: it had no head.)
                    if (heads[c].Item1 >= 0 && head != heads[c]) found.Add($"t={now}: courier {c} was heading to {heads[c]}, now to {head}");
                }
                foreach (var (o, c) in carried)
                {
                    var view = e.Order(o);
                    if (view.CourierId != c) found.Add($"t={now}: picked-up order {o} moved from courier {c} to {view.CourierId}");
                    if (!e.Route(c).Any(x => x.OrderId == o && x.Kind == StopKind.Dropoff)) found.Add($"t={now}: picked-up order {o} left courier {c}'s route");
                }
                foreach (var o in s.Orders)
                {
                    if (!e.TryGetOrder(o.Id, out var view)) continue; // not placed yet
                    if (view.Status is not (OrderStatus.Assigned or OrderStatus.PickedUp)) continue;
                    var on = couriers.Where(c => e.Route(c).Any(x => x.OrderId == o.Id)).ToArray();
                    if (on.Length != 1 || on[0] != view.CourierId) found.Add($"t={now}: order {o.Id} of courier {view.CourierId} is on the routes of [{string.Join(", ", on)}]");
                    int stops = e.Route(view.CourierId).Count(x => x.OrderId == o.Id);
                    int expected = view.Status == OrderStatus.Assigned ? 2 : 1;
                    if (stops != expected) found.Add($"t={now}: order {o.Id} ({view.Status}) has {stops} stops on its route");
                }
            },
        };
        sim.Run();
        v = found;
        return sim;
    }

    [Property(MaxTest = 150, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void Improvement_moves_never_worsen_the_objective_nor_move_heads_or_picked_up_orders(WindowedScenario w)
    {
        var sim = ImproveAfterEveryTick(w.Scenario, moves: 16, out var v);
        v.AddRange(Invariants.Check(sim, DispatchProfile.General));
        v.AddRange(CapacityCheck.Check(sim));
        v.AddRange(WindowViolations(sim));
        AssertNone(sim, v);
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(ScenarioArbitrary)])]
    public void Improvement_moves_keep_every_order_when_couriers_are_plentiful(PlentifulScenario p)
    {
        var sim = ImproveAfterEveryTick(p.Scenario, moves: 64, out var v);
        v.AddRange(Invariants.Check(sim, DispatchProfile.General));
        v.AddRange(CapacityCheck.Check(sim));
        if (sim.DroppedAt.Count != p.Scenario.Orders.Length) v.Add($"{sim.DroppedAt.Count} of {p.Scenario.Orders.Length} orders delivered");
        AssertNone(sim, v);
    }

    /// <summary>The properties are not vacuous: windows bind, some orders fit nobody, and moves are applied, relocations included.</summary>
    [Fact]
    public void The_generated_runs_exercise_windows_and_moves()
    {
        var gen = ScenarioArbitrary.WindowedGen();
        int windowed = 0, served = 0, unserved = 0, applied = 0, relocated = 0, waited = 0;
        for (int seed = 0; seed < 60; seed++)
        {
            var s = FsCheck.Fluent.Gen.Sample(gen, 1, new FsCheck.Rnd((ulong)seed + 7), 10).First();
            var sim = new Simulation(s, DispatchProfile.General).Run();
            windowed += s.Orders.Count(o => o.DeliverBy < double.PositiveInfinity);
            served += s.Orders.Count(o => o.DeliverBy < double.PositiveInfinity && sim.DroppedAt.ContainsKey(o.Id));
            unserved += s.Orders.Count(o => sim.Engine.GetOrderStatus(o.Id) == OrderStatus.Open);
            waited += s.Orders.Count(o => sim.DroppedAt.TryGetValue(o.Id, out double t) && t == o.DeliverAfter && o.DeliverAfter > 0);
            applied += (int)sim.Engine.ImprovementMoves.Applied;
            relocated += sim.Recorder.Changes.Count(c => c.Kind == PlanChangeKind.Reassigned && c.Reason == PlanChangeReason.Improvement);
        }
        Assert.True(served > 50, $"{served} of {windowed} orders with a deliver-by served");
        Assert.True(unserved > 5, $"{unserved} orders fit nobody");
        Assert.True(waited > 5, $"{waited} drop-offs waited for their earliest time");
        Assert.True(applied > 20, $"{applied} improvement moves applied");
        Assert.True(relocated > 3, $"{relocated} orders moved to another courier");
    }
}
