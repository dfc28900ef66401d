namespace Dispatch.Core.Tests.Routing;

[Collection(AllocationCollection.Name)]
public class RouteOptimizerTests
{
    [Fact]
    public void Matches_the_brute_force_optimum_on_tiny_problems()
    {
        int checkedCases = 0;
        for (int seed = 1; seed <= 40; seed++)
        {
            var problem = RoutingTestProblems.Random(seed, requests: 4, vehicles: 3, capacity: 3, horizon: 300);
            var exact = BruteForceOracle.Solve(problem);
            var found = new RouteOptimizer(problem, RoutingTestProblems.Deterministic(400, seed)).Solve();
            Assert.Equal(exact.Unserved, found.Unassigned.Count);
            Assert.Equal(exact.Vehicles, found.VehiclesUsed);
            Assert.True(Math.Abs(exact.Distance - found.Distance) < 1e-6, $"seed {seed}: optimizer {found.Distance}, exact {exact.Distance}");
            checkedCases++;
        }
        Assert.Equal(40, checkedCases);
    }

    [Property(MaxTest = 60)]
    public Property Every_route_keeps_every_rule_and_every_request_is_accounted_for()
    {
        var gen = Gen.Choose(1, 100_000).Zip(Gen.Choose(1, 25)).Zip(Gen.Choose(1, 6)).Zip(Gen.Choose(1, 5));
        return Prop.ForAll(Arb.From(gen), t =>
        {
            var (((seed, requests), vehicles), capacity) = t;
            var problem = RoutingTestProblems.Random(seed, requests, vehicles, capacity, horizon: 500);
            var solution = new RouteOptimizer(problem, RoutingTestProblems.Deterministic(150, seed)).Solve();
            var seen = new int[requests];
            foreach (var route in solution.Routes)
            {
                var broken = RoutingTestProblems.Violation(problem, route);
                if (broken is not null) return false.Label($"seed {seed}: {broken}");
                if (Math.Abs(RoutingTestProblems.Distance(problem, route) - route.Distance) > 1e-6) return false.Label("route distance");
                foreach (var v in route.Visits) seen[v.RequestIndex]++;
            }
            foreach (var u in solution.Unassigned)
            {
                if (u.Detail.Length == 0) return false.Label("unassigned without a reason");
                seen[u.RequestIndex] += 2;
            }
            for (int r = 0; r < requests; r++)
                if (seen[r] != 2) return false.Label($"request {r} seen {seen[r]} times (2 stops, or unassigned once)");
            return (solution.VehiclesUsed <= vehicles).Label("fleet");
        });
    }

    [Fact]
    public void Same_seed_and_iteration_limit_give_the_same_solution()
    {
        var problem = RoutingTestProblems.Random(7, requests: 30, vehicles: 8, capacity: 4);
        var a = new RouteOptimizer(problem, RoutingTestProblems.Deterministic(2000, 5)).Solve();
        var b = new RouteOptimizer(problem, RoutingTestProblems.Deterministic(2000, 5)).Solve();
        Assert.Equal(a.Distance, b.Distance);
        Assert.Equal(a.VehiclesUsed, b.VehiclesUsed);
        Assert.Equal(a.Routes.Select(r => string.Join(',', r.Visits.Select(v => (v.RequestIndex, v.IsPickup)))),
                     b.Routes.Select(r => string.Join(',', r.Visits.Select(v => (v.RequestIndex, v.IsPickup)))));
    }

    [Fact]
    public void Searching_longer_never_ends_worse_than_the_first_solution()
    {
        var problem = RoutingTestProblems.Random(11, requests: 40, vehicles: 12, capacity: 4, horizon: 600);
        var first = new RouteOptimizer(problem, RoutingTestProblems.Deterministic(0)).Solve();
        var searched = new RouteOptimizer(problem, RoutingTestProblems.Deterministic(3000)).Solve();
        Assert.True(searched.Unassigned.Count <= first.Unassigned.Count);
        Assert.True(searched.VehiclesUsed < first.VehiclesUsed || (searched.VehiclesUsed == first.VehiclesUsed && searched.Distance <= first.Distance + 1e-9),
            $"first {first.VehiclesUsed} / {first.Distance}, searched {searched.VehiclesUsed} / {searched.Distance}");
    }

    [Fact]
    public async Task The_best_solution_is_readable_while_the_search_runs()
    {
        var problem = RoutingTestProblems.Random(3, requests: 40, vehicles: 12);
        var optimizer = new RouteOptimizer(problem, new OptimizerOptions { TimeLimit = TimeSpan.FromSeconds(1), Threads = 2 });
        var run = Task.Run(() => optimizer.Solve());
        RoutingSolution? during = null;
        while (!run.IsCompleted)
        {
            during = optimizer.BestSoFar();
            await Task.Delay(20);
        }
        var final = await run;
        Assert.NotNull(during);
        foreach (var route in final.Routes) Assert.Null(RoutingTestProblems.Violation(problem, route));
    }

    [Fact]
    public void An_improvement_iteration_allocates_nothing()
    {
        var pb = new CompiledProblem(RoutingTestProblems.Random(5, requests: 60, vehicles: 20, capacity: 4, horizon: 600));
        var (allocated, iterations) = RoutingTestProblems.ImprovementAllocations(pb, warmUp: 3000, measured: 2000);
        Assert.True(iterations >= 4900, $"ran {iterations} iterations");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_request_too_big_for_every_vehicle_comes_back_unassigned_with_the_reason()
    {
        var matrix = TravelMatrix.FromCoordinates([0, 10, 20], [0, 0, 0]);
        var requests = new[]
        {
            new RoutingRequest(1, 1, 2) { Amount = [5] },
            new RoutingRequest(2, 1, 2) { Amount = [50] },
        };
        var fleet = new[] { new RoutingVehicle(9) { StartLocation = 0, EndLocation = 0, Capacity = [10] } };
        var s = new RouteOptimizer(new RoutingProblem(matrix, requests, fleet), RoutingTestProblems.Deterministic(50)).Solve();
        var u = Assert.Single(s.Unassigned);
        Assert.Equal(2, u.RequestId);
        Assert.Equal(UnassignedReason.CapacityExceeded, u.Reason);
        Assert.Single(s.Routes);
    }

    [Fact]
    public void Unreachable_windows_and_a_short_shift_are_named()
    {
        var matrix = TravelMatrix.FromCoordinates([0, 100, 200], [0, 0, 0]);
        var requests = new[]
        {
            new RoutingRequest(1, 1, 2) { PickupWindow = new TimeWindow(0, 50) },                      // pickup is 100 away
            new RoutingRequest(2, 1, 2) { DeliveryWindow = new TimeWindow(0, 150) },                   // delivery is 200 away
            new RoutingRequest(3, 1, 2),                                                               // fits, but not back by 300
            new RoutingRequest(4, 1, -1),                                                              // a pickup-only visit: fits
        };
        var fleet = new[] { new RoutingVehicle(9) { StartLocation = 0, EndLocation = 0, Shift = new TimeWindow(0, 300) } };
        var s = new RouteOptimizer(new RoutingProblem(matrix, requests, fleet), RoutingTestProblems.Deterministic(50)).Solve();
        Assert.Equal(UnassignedReason.PickupWindowUnreachable, s.Unassigned.Single(u => u.RequestId == 1).Reason);
        Assert.Equal(UnassignedReason.DeliveryWindowUnreachable, s.Unassigned.Single(u => u.RequestId == 2).Reason);
        Assert.Equal(UnassignedReason.ShiftTooShort, s.Unassigned.Single(u => u.RequestId == 3).Reason);
        Assert.DoesNotContain(s.Unassigned, u => u.RequestId == 4);
    }

    [Fact]
    public void Requests_beyond_the_fleet_are_unassigned_as_fleet_exhausted()
    {
        var matrix = TravelMatrix.FromCoordinates([0, 10, 20], [0, 0, 0]);
        var requests = Enumerable.Range(1, 3).Select(i => new RoutingRequest(i, 1, 2) { Amount = [1], DeliveryWindow = new TimeWindow(0, 25) }).ToArray();
        // Capacity 1 and a delivery deadline that allows one trip: one vehicle serves one request.
        var fleet = new[] { new RoutingVehicle(1) { StartLocation = 0, EndLocation = 0, Capacity = [1] }, new RoutingVehicle(2) { StartLocation = 0, EndLocation = 0, Capacity = [1] } };
        var s = new RouteOptimizer(new RoutingProblem(matrix, requests, fleet), RoutingTestProblems.Deterministic(100)).Solve();
        Assert.Equal(2, s.VehiclesUsed);
        var u = Assert.Single(s.Unassigned);
        Assert.Equal(UnassignedReason.FleetExhausted, u.Reason);
    }

    [Fact]
    public void Delivery_jobs_load_at_the_start_and_pickup_jobs_ride_to_the_end()
    {
        // A depot-based vehicle of capacity 3 delivers 2 units and picks up 2: it must deliver first.
        var matrix = TravelMatrix.FromMatrices(3, [0, 5, 5, 5, 0, 1, 5, 1, 0]);
        var requests = new[]
        {
            new RoutingRequest(1, -1, 1) { Amount = [2] },   // delivered from the depot
            new RoutingRequest(2, 2, -1) { Amount = [2] },   // picked up, carried home
        };
        var fleet = new[] { new RoutingVehicle(1) { StartLocation = 0, EndLocation = 0, Capacity = [3] } };
        var s = new RouteOptimizer(new RoutingProblem(matrix, requests, fleet), RoutingTestProblems.Deterministic(50)).Solve();
        var route = Assert.Single(s.Routes);
        Assert.Equal([2], route.StartLoad);
        Assert.Equal([1L, 2L], route.Visits.Select(v => v.RequestId));
        Assert.Equal([0], route.Visits[0].Load);
        Assert.Equal([2], route.Visits[1].Load);
        Assert.Equal(11, route.TravelMinutes);
    }

    [Fact]
    public void A_durations_matrix_drives_the_search_and_distances_are_reported_apart()
    {
        // Asymmetric durations: 0 -> 1 is quick, 1 -> 0 slow.
        double[] durations = [0, 1, 9, 9, 0, 1, 1, 9, 0];
        double[] distances = [0, 100, 100, 100, 0, 100, 100, 100, 0];
        var matrix = TravelMatrix.FromMatrices(3, durations, distances);
        var requests = new[] { new RoutingRequest(1, 1, 2) };
        var fleet = new[] { new RoutingVehicle(1) { StartLocation = 0, EndLocation = 0 } };
        var s = new RouteOptimizer(new RoutingProblem(matrix, requests, fleet), RoutingTestProblems.Deterministic(20)).Solve();
        var route = Assert.Single(s.Routes);
        Assert.Equal(3, route.TravelMinutes);
        Assert.Equal(300, route.Distance);
        Assert.Equal(3, route.EndArrival);
    }

    [Theory]
    [InlineData("window", "pickup window latest 5 is before earliest 10")]
    [InlineData("pickup-after-delivery", "pickup window opens at 100, after the delivery window closes at 50")]
    [InlineData("unknown-location", "delivery location 7 is not a location index")]
    [InlineData("negative-amount", "amount[0] = -1 is negative")]
    [InlineData("vehicle-shift", "vehicle 3 (index 0): shift latest 1 is before earliest 2")]
    [InlineData("duplicate", "id 1 appears twice")]
    [InlineData("dimensions", "amount has 2 dimensions, others have 1")]
    [InlineData("late-penalty", "request 1 (index 0): delivery window late penalty per minute -2 must be finite and 0 or more")]
    [InlineData("priority", "request 1 (index 0): priority -1 must be from 0 to 1,000,000")]
    [InlineData("placed-at", "request 1 (index 0): placed at NaN must be finite")]
    [InlineData("objective", "objective: click-to-door per minute -1 must be finite and 0 or more")]
    public void Bad_problems_are_refused_with_the_item_named(string kind, string message)
    {
        var matrix = TravelMatrix.FromCoordinates([0, 1, 2], [0, 0, 0]);
        var ok = new RoutingRequest(1, 1, 2);
        RoutingRequest[] requests = kind switch
        {
            "window" => [new RoutingRequest(1, 1, 2) { PickupWindow = new TimeWindow(10, 5) }],
            "pickup-after-delivery" => [new RoutingRequest(1, 1, 2) { PickupWindow = new TimeWindow(100, 200), DeliveryWindow = new TimeWindow(0, 50) }],
            "unknown-location" => [new RoutingRequest(1, 1, 7)],
            "negative-amount" => [new RoutingRequest(1, 1, 2) { Amount = [-1] }],
            "duplicate" => [ok, new RoutingRequest(1, 2, 1)],
            "dimensions" => [new RoutingRequest(1, 1, 2) { Amount = [1] }, new RoutingRequest(2, 1, 2) { Amount = [1, 1] }],
            "late-penalty" => [new RoutingRequest(1, 1, 2) { DeliveryWindow = TimeWindow.Soft(0, 10, -2) }],
            "priority" => [new RoutingRequest(1, 1, 2) { Priority = -1 }],
            "placed-at" => [new RoutingRequest(1, 1, 2) { PlacedAt = double.NaN }],
            _ => [ok],
        };
        var vehicle = kind == "vehicle-shift" ? new RoutingVehicle(3) { Shift = new TimeWindow(2, 1) } : new RoutingVehicle(3);
        var objective = kind == "objective" ? new RoutingObjective { ClickToDoorPerMinute = -1 } : null;
        var e = Assert.Throws<DispatchException>(() => new RoutingProblem(matrix, requests, [vehicle], objective));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(new double[] { 0, 1, -1, 0 }, "durations[1][0] = -1")]
    [InlineData(new double[] { 0, 1, double.NaN, 0 }, "durations[1][0] = NaN")]
    [InlineData(new double[] { 0, 1, 1 }, "durations: 3 entries for 2 locations, expected 4")]
    public void Bad_matrices_are_refused_with_the_entry_named(double[] durations, string message)
    {
        var e = Assert.Throws<DispatchException>(() => TravelMatrix.FromMatrices(2, durations));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void An_empty_fleet_or_no_budget_is_refused()
    {
        var matrix = TravelMatrix.FromCoordinates([0, 1], [0, 0]);
        Assert.Throws<DispatchException>(() => new RoutingProblem(matrix, [new RoutingRequest(1, 0, 1)], []));
        var problem = new RoutingProblem(matrix, [new RoutingRequest(1, 0, 1)], [new RoutingVehicle(1)]);
        Assert.Throws<ArgumentException>(() => new RouteOptimizer(problem, new OptimizerOptions { TimeLimit = null, MaxIterations = null }));
    }
}

public class NonMetricMatrixTests
{
    /// <summary>
    /// Road matrices do not always keep the triangle inequality: a direct leg can be slower than a
    /// detour. Taking a stop out of a route can then make a later stop late; the search must notice
    /// and never return such a route.
    /// </summary>
    [Property(MaxTest = 40)]
    public Property Routes_keep_every_window_when_shortcuts_are_slower()
    {
        return Prop.ForAll(Arb.From(Gen.Choose(1, 1_000_000)), seed =>
        {
            var rng = new Random(seed);
            int requests = 12, n = 1 + 2 * requests;
            var durations = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    durations[i * n + j] = i == j ? 0 : rng.Next(0, 4) == 0 ? rng.Next(40, 120) : rng.Next(1, 15);
            var matrix = TravelMatrix.FromMatrices(n, durations);
            var list = new List<RoutingRequest>();
            for (int r = 0; r < requests; r++)
            {
                double ready = rng.Next(0, 60);
                list.Add(new RoutingRequest(r, 1 + 2 * r, 2 + 2 * r)
                {
                    PickupWindow = new TimeWindow(ready, ready + rng.Next(5, 40)),
                    DeliveryWindow = new TimeWindow(0, ready + rng.Next(20, 90)),
                    Amount = [1],
                });
            }
            var fleet = Enumerable.Range(0, 6).Select(v => new RoutingVehicle(v) { StartLocation = 0, EndLocation = 0, Capacity = [3], Shift = new TimeWindow(0, 400) }).ToArray();
            var problem = new RoutingProblem(matrix, list, fleet);
            var solution = new RouteOptimizer(problem, new OptimizerOptions { TimeLimit = null, MaxIterations = 300, Threads = 1, Seed = seed }).Solve();
            foreach (var route in solution.Routes)
            {
                var broken = RoutingTestProblems.Violation(problem, route);
                if (broken is not null) return false.Label($"seed {seed}: {broken}");
            }
            int served = solution.Routes.Sum(r => r.Visits.Count) / 2;
            return (served + solution.Unassigned.Count == requests).Label("every request accounted for");
        });
    }
}
