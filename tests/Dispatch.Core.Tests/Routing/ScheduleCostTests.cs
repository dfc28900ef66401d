namespace Dispatch.Core.Tests.Routing;

/// <summary>
/// Soft windows (a price per minute late), click-to-door weights, soft shift ends and priorities:
/// the costs that depend on when a stop is served, not only on which arcs are driven.
/// </summary>
[Collection(AllocationCollection.Name)]
public class ScheduleCostTests
{
    /// <summary>The random test problem with soft, tighter delivery windows (some hard), placement times and a click-to-door weight.</summary>
    private static RoutingProblem Soft(int seed, int requests, int vehicles, double clickToDoor = 0.2, double horizon = 400)
    {
        var baseProblem = RoutingTestProblems.Random(seed, requests, vehicles, capacity: 4, horizon: horizon);
        var rng = new Random(seed * 31 + 7);
        var list = new List<RoutingRequest>();
        foreach (var q in baseProblem.Requests)
        {
            var d = q.DeliveryWindow;
            double latest = Math.Max(d.Earliest, d.Latest - rng.Next(30, 120));
            list.Add(new RoutingRequest(q.Id, q.PickupLocation, q.DeliveryLocation)
            {
                PickupWindow = q.PickupWindow,
                DeliveryWindow = rng.Next(4) == 0 ? d : TimeWindow.Soft(d.Earliest, latest, rng.Next(1, 6)),
                PickupServiceMinutes = q.PickupServiceMinutes,
                DeliveryServiceMinutes = q.DeliveryServiceMinutes,
                Amount = q.Amount,
                PlacedAt = Math.Max(0, q.PickupWindow.Earliest - rng.Next(0, 20)),
            });
        }
        return new RoutingProblem(baseProblem.Matrix, list, baseProblem.Vehicles, new RoutingObjective { ClickToDoorPerMinute = clickToDoor });
    }

    /// <summary>
    /// The cheapest insertion's price, pushes of later stops included, equals the least cost increase
    /// found by trying every position pair and re-deriving the route from scratch.
    /// </summary>
    [Property(MaxTest = 40)]
    public Property Insertion_prices_every_pushed_stop_exactly()
    {
        return Prop.ForAll(Arb.From(Gen.Choose(1, 1_000_000)), seed =>
        {
            var pb = new CompiledProblem(Soft(seed, requests: 12, vehicles: 2));
            var s = new SolutionState(pb);
            var scratch = new RouteState(pb, 0, 2 * pb.Requests);
            for (int r = 0; r < pb.Requests; r++)
            {
                int bestV = -1, bestI = -1, bestJ = -1;
                double best = double.PositiveInfinity;
                for (int v = 0; v < pb.Vehicles; v++)
                {
                    var route = s.Routes[v];
                    double fast = Insertion.Best(pb, route, r, out int i, out int j);
                    double exact = double.PositiveInfinity;
                    for (int a = 0; a <= route.Count; a++)
                    {
                        for (int b = a; b <= route.Count; b++)
                        {
                            var trial = Copy(pb, route, v);
                            trial.InsertPair(pb.Dims, CompiledProblem.PickupStop(r), CompiledProblem.DeliveryStop(r), a, b);
                            trial.Recompute(pb, null);
                            if (trial.FirstLate != 0 || trial.MaxAfter[0] > pb.Capacity[v * pb.Dims]) continue;
                            exact = Math.Min(exact, trial.Cost - route.Cost);
                        }
                    }
                    if (double.IsPositiveInfinity(exact) != double.IsPositiveInfinity(fast) || (double.IsFinite(exact) && Math.Abs(exact - fast) > 1e-6))
                        return false.Label($"seed {seed}, request {r}, vehicle {v}: insertion says {fast}, every position tried says {exact}");
                    if (fast < best) { best = fast; bestV = v; bestI = i; bestJ = j; }
                }
                if (bestV >= 0) s.Insert(r, bestV, bestI, bestJ);
            }
            return true.ToProperty();
        });
    }

    private static RouteState Copy(CompiledProblem pb, RouteState route, int vehicle)
    {
        var copy = new RouteState(pb, vehicle, 2 * pb.Requests);
        copy.CopyFrom(route, pb.Dims);
        return copy;
    }

    /// <summary>One vehicle, every stop order tried: the optimizer's cost (distance + lateness + click-to-door) is the least.</summary>
    [Fact]
    public void Matches_the_enumerated_optimum_with_soft_windows_and_click_to_door()
    {
        for (int seed = 1; seed <= 25; seed++)
        {
            var problem = Soft(seed, requests: 4, vehicles: 1, clickToDoor: 0.3, horizon: 300);
            double exact = EnumeratedBest(problem);
            var found = new RouteOptimizer(problem, RoutingTestProblems.Deterministic(300, seed)).Solve();
            if (double.IsPositiveInfinity(exact)) continue;
            Assert.Empty(found.Unassigned);
            Assert.True(Math.Abs(exact - found.Cost) < 1e-6, $"seed {seed}: optimizer {found.Cost}, enumerated {exact}");
            double lateness = 0;
            foreach (var visit in found.Routes[0].Visits)
            {
                var w = visit.IsPickup ? problem.Requests[visit.RequestIndex].PickupWindow : problem.Requests[visit.RequestIndex].DeliveryWindow;
                lateness += w.IsSoft ? Math.Max(0, visit.ServiceStart - w.Latest) : 0;
            }
            Assert.Equal(lateness, found.LateMinutes, 6);
        }
    }

    /// <summary>Least cost of one vehicle serving every request, by trying every stop order (pickups first), from the problem alone.</summary>
    private static double EnumeratedBest(RoutingProblem problem)
    {
        int n = problem.Requests.Count;
        var order = new (int Request, bool Pickup)[2 * n];
        var picked = new bool[n];
        var dropped = new bool[n];
        double best = double.PositiveInfinity;
        void Walk(int depth)
        {
            if (depth == order.Length) { best = Math.Min(best, Cost(problem, order)); return; }
            for (int r = 0; r < n; r++)
            {
                if (!picked[r])
                {
                    picked[r] = true; order[depth] = (r, true); Walk(depth + 1); picked[r] = false;
                }
                else if (!dropped[r])
                {
                    dropped[r] = true; order[depth] = (r, false); Walk(depth + 1); dropped[r] = false;
                }
            }
        }
        Walk(0);
        return best;
    }

    private static double Cost(RoutingProblem problem, (int Request, bool Pickup)[] order) =>
        RoutingTestProblems.Simulate(problem, order) is { } sim ? sim.Distance + sim.ScheduleCost : double.PositiveInfinity;

    /// <summary>
    /// Three deliveries 10 east of the depot, one 4 west, no return. Distance alone goes west first (18
    /// against 24); with click-to-door at 5 per minute the three go first (waits 10+10+10+24 = 54
    /// against 4+18+18+18 = 58).
    /// </summary>
    [Theory]
    [InlineData(0.0, false)]
    [InlineData(5.0, true)]
    public void Click_to_door_weight_serves_the_many_first(double perMinute, bool eastFirst)
    {
        var matrix = TravelMatrix.FromCoordinates([0, 10, -4], [0, 0, 0]);
        RoutingRequest[] requests =
        [
            new(1, -1, 1), new(2, -1, 1), new(3, -1, 1), new(4, -1, 2),
        ];
        var vehicle = new RoutingVehicle(1) { StartLocation = 0 };
        var problem = new RoutingProblem(matrix, requests, [vehicle], new RoutingObjective { ClickToDoorPerMinute = perMinute });
        var solution = new RouteOptimizer(problem, RoutingTestProblems.Deterministic(200)).Solve();
        var route = Assert.Single(solution.Routes);
        Assert.Equal(eastFirst, route.Visits[0].Location == 1);
        Assert.Equal(eastFirst ? 24 : 18, route.TravelMinutes, 6);
        Assert.Equal(eastFirst ? 24 + 5 * 54 : 18, route.Cost, 6);
    }

    [Fact]
    public void A_soft_window_is_served_late_at_its_price_where_a_hard_one_is_unassigned()
    {
        var matrix = TravelMatrix.FromCoordinates([0, 30, 60], [0, 0, 0]);
        var hard = new RoutingRequest(1, 1, 2) { DeliveryWindow = new TimeWindow(0, 40) };
        var soft = new RoutingRequest(1, 1, 2) { DeliveryWindow = TimeWindow.Soft(0, 40, 2) };
        var vehicle = new RoutingVehicle(1) { StartLocation = 0 };

        var refused = new RouteOptimizer(new RoutingProblem(matrix, [hard], [vehicle]), RoutingTestProblems.Deterministic(20)).Solve();
        Assert.Equal(UnassignedReason.DeliveryWindowUnreachable, Assert.Single(refused.Unassigned).Reason);

        var late = new RouteOptimizer(new RoutingProblem(matrix, [soft], [vehicle]), RoutingTestProblems.Deterministic(20)).Solve();
        Assert.Empty(late.Unassigned);
        Assert.Equal(20, late.LateMinutes, 6);                      // delivered at 60, due by 40
        Assert.Equal(60 + 2 * 20, late.Cost, 6);

        var ignored = new RouteOptimizer(new RoutingProblem(matrix, [soft], [vehicle], new RoutingObjective { LatenessWeight = 0 }), RoutingTestProblems.Deterministic(20)).Solve();
        Assert.Equal(60, ignored.Cost, 6);
    }

    [Fact]
    public void A_soft_shift_end_is_overtime_at_its_price()
    {
        var matrix = TravelMatrix.FromCoordinates([0, 30, 60], [0, 0, 0]);
        var request = new RoutingRequest(1, 1, 2);
        var hardShift = new RoutingVehicle(1) { StartLocation = 0, EndLocation = 0, Shift = new TimeWindow(0, 100) };
        var softShift = new RoutingVehicle(1) { StartLocation = 0, EndLocation = 0, Shift = TimeWindow.Soft(0, 100, 3) };

        var refused = new RouteOptimizer(new RoutingProblem(matrix, [request], [hardShift]), RoutingTestProblems.Deterministic(20)).Solve();
        Assert.Equal(UnassignedReason.ShiftTooShort, Assert.Single(refused.Unassigned).Reason);

        var overtime = new RouteOptimizer(new RoutingProblem(matrix, [request], [softShift]), RoutingTestProblems.Deterministic(20)).Solve();
        var route = Assert.Single(overtime.Routes);
        Assert.Equal(20, route.OvertimeMinutes, 6);                 // back at 120, due by 100
        Assert.Equal(120 + 3 * 20, route.Cost, 6);
    }

    /// <summary>
    /// Two pickups due by minute 6, five minutes east and west of the vehicle: it can make only one.
    /// The east one is cheaper (delivered where it is picked up); priority sends it west.
    /// </summary>
    [Theory]
    [InlineData(0, 1L)]
    [InlineData(40, 2L)]
    public void When_not_everything_fits_the_higher_priority_is_served(int westPriority, long served)
    {
        var matrix = TravelMatrix.FromCoordinates([0, 5, -5, -7], [0, 0, 0, 0]);
        RoutingRequest[] requests =
        [
            new(1, 1, 1) { PickupWindow = new TimeWindow(0, 6) },
            new(2, 2, 3) { PickupWindow = new TimeWindow(0, 6), Priority = westPriority },
        ];
        var vehicle = new RoutingVehicle(1) { StartLocation = 0 };
        var solution = new RouteOptimizer(new RoutingProblem(matrix, requests, [vehicle]), RoutingTestProblems.Deterministic(100)).Solve();
        var route = Assert.Single(solution.Routes);
        Assert.All(route.Visits, v => Assert.Equal(served, v.RequestId));
        Assert.Equal(3 - served, Assert.Single(solution.Unassigned).RequestId);
    }

    [Property(MaxTest = 30)]
    public Property Soft_problems_keep_every_hard_rule_and_lose_no_request()
    {
        return Prop.ForAll(Arb.From(Gen.Choose(1, 1_000_000)), seed =>
        {
            var problem = Soft(seed, requests: 15, vehicles: 3);
            var solution = new RouteOptimizer(problem, RoutingTestProblems.Deterministic(120, seed)).Solve();
            int served = 0;
            foreach (var route in solution.Routes)
            {
                var broken = RoutingTestProblems.Violation(problem, route);
                if (broken is not null) return false.Label($"seed {seed}: {broken}");
                served += route.Visits.Count / 2;
            }
            return (served + solution.Unassigned.Count == problem.Requests.Count).Label("every request on a route or unassigned");
        });
    }

    [Fact]
    public void An_improvement_iteration_with_schedule_costs_allocates_nothing()
    {
        var pb = new CompiledProblem(Soft(5, requests: 60, vehicles: 20, horizon: 600));
        Assert.True(pb.HasScheduleCosts);
        var (allocated, _) = RoutingTestProblems.ImprovementAllocations(pb, warmUp: 2000, measured: 1000);
        Assert.Equal(0, allocated);
    }
}
