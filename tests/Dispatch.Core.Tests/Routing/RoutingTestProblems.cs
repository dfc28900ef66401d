namespace Dispatch.Core.Tests.Routing;

/// <summary>Small random pickup-and-delivery problems with windows, and an independent route simulator.</summary>
internal static class RoutingTestProblems
{
    /// <summary>
    /// Builds a first solution, runs <paramref name="warmUp"/> improvement iterations (route buffers grow
    /// to their working size), then <paramref name="measured"/> more: the bytes those allocated and the
    /// iterations run in all.
    /// </summary>
    public static (long Allocated, long Iterations) ImprovementAllocations(CompiledProblem pb, int warmUp, int measured)
    {
        var search = new AlnsSearch(pb, vehiclesFirst: true, seed: 3);
        search.Construct(Enumerable.Range(0, pb.Requests).ToArray());
        search.ImproveCost(new SearchBudget(null, warmUp, System.Diagnostics.Stopwatch.GetTimestamp()), default);
        long before = GC.GetAllocatedBytesForCurrentThread();
        search.ImproveCost(new SearchBudget(null, search.Iterations + measured, System.Diagnostics.Stopwatch.GetTimestamp()), default);
        return (GC.GetAllocatedBytesForCurrentThread() - before, search.Iterations);
    }

    /// <summary>Every position's service starts within its window and the load stays within capacity, re-derived from the stop order.</summary>
    public static void AssertFeasible(CompiledProblem pb, SolutionState s)
    {
        foreach (var route in s.Routes)
        {
            double t = pb.StopEarliest[route.Stop[0]];
            long load = 0;
            var open = new HashSet<int>();
            int unmatched = 0;
            for (int k = 1; k <= route.Count + 1; k++)
            {
                int prev = route.Stop[k - 1], stop = route.Stop[k];
                t = Math.Max(t + pb.StopService[prev] + pb.Travel(prev, stop), pb.StopEarliest[stop]);
                Assert.True(t <= pb.StopLatest[stop] + 1e-9, $"vehicle {route.Vehicle} position {k}: starts {t}, latest {pb.StopLatest[stop]}");
                if (k == route.Count + 1) break;
                int r = CompiledProblem.RequestOf(stop);
                if ((stop & 1) == 0) { open.Add(r); unmatched++; load += pb.RequestAmount[r * pb.Dims]; }
                else { Assert.Contains(r, open); unmatched--; load -= pb.RequestAmount[r * pb.Dims]; }
                Assert.True(load <= pb.Capacity[route.Vehicle * pb.Dims]);
                Assert.Equal(route.Vehicle, s.RequestVehicle[r]);
            }
            Assert.Equal(0, unmatched);   // every pickup's delivery is on the same route
        }
    }

    /// <summary>Seeds of the medium problems (<see cref="Medium"/>) the search's parts are tested on.</summary>
    public static TheoryData<int> MediumSeeds => new() { 1, 2, 3, 4, 5, 6 };

    /// <summary>40 requests, 15 vehicles of capacity 4, a 700-minute horizon: more routes than a good solution needs.</summary>
    public static CompiledProblem Medium(int seed) => new(Random(seed, requests: 40, vehicles: 15, capacity: 4, horizon: 700));

    /// <summary>A copy of the search's first solution (regret insertion with the whole fleet) of <paramref name="requests"/>
    /// (every request when null).</summary>
    public static SolutionState FirstSolution(CompiledProblem pb, int seed, int[]? requests = null)
    {
        var search = new AlnsSearch(pb, vehiclesFirst: true, seed: seed);
        search.Construct(requests ?? Enumerable.Range(0, pb.Requests).ToArray());
        var s = new SolutionState(pb);
        s.CopyFrom(search.Best, default, all: true);
        return s;
    }

    /// <summary>One thread and an iteration limit: the same solution on every run and machine.</summary>
    public static OptimizerOptions Deterministic(long iterations, int seed = 1) =>
        new() { TimeLimit = null, MaxIterations = iterations, Threads = 1, Seed = seed };

    /// <summary>
    /// A depot at location 0 and <paramref name="requests"/> shipments on a 100 x 100 square; windows
    /// wide enough that most requests fit, tight enough that some orders of stops do not.
    /// </summary>
    public static RoutingProblem Random(int seed, int requests, int vehicles, int capacity = 3, double horizon = 400)
    {
        var rng = new Random(seed);
        int n = 1 + 2 * requests;
        var x = new double[n];
        var y = new double[n];
        x[0] = y[0] = 50;
        for (int i = 1; i < n; i++) { x[i] = rng.Next(0, 101); y[i] = rng.Next(0, 101); }
        var matrix = TravelMatrix.FromCoordinates(x, y);
        var list = new List<RoutingRequest>();
        for (int r = 0; r < requests; r++)
        {
            int p = 1 + 2 * r, d = p + 1;
            double ready = rng.Next(0, (int)(horizon / 2));
            double pickupLatest = ready + rng.Next(20, 150);
            double deliveryEarliest = rng.Next(0, 2) == 0 ? 0 : ready + rng.Next(0, 60);
            double deliveryLatest = Math.Max(pickupLatest, deliveryEarliest) + rng.Next(40, 200);
            list.Add(new RoutingRequest(100 + r, p, d)
            {
                PickupWindow = new TimeWindow(ready, pickupLatest),
                DeliveryWindow = new TimeWindow(deliveryEarliest, deliveryLatest),
                PickupServiceMinutes = rng.Next(0, 10),
                DeliveryServiceMinutes = rng.Next(0, 10),
                Amount = [rng.Next(1, capacity + 1)],
            });
        }
        var fleet = new List<RoutingVehicle>();
        for (int v = 0; v < vehicles; v++)
            fleet.Add(new RoutingVehicle(v) { StartLocation = 0, EndLocation = 0, Shift = new TimeWindow(0, horizon), Capacity = [capacity], CostPerMinute = 0, CostPerDistance = 1 });
        return new RoutingProblem(matrix, list, fleet);
    }

    /// <summary>
    /// Re-simulates a route from the problem alone (not the optimizer's caches): returns null when it
    /// keeps every rule (hard windows, hard shift end, capacity, pickup before delivery), else the first rule broken.
    /// </summary>
    public static string? Violation(RoutingProblem problem, PlannedRoute route)
    {
        var vehicle = problem.Vehicles[route.VehicleIndex];
        var m = problem.Matrix;
        int dims = problem.Dimensions;
        var load = new long[dims];
        // Deliveries without a pickup are on board from the start.
        foreach (var v in route.Visits)
        {
            var q = problem.Requests[v.RequestIndex];
            if (q.PickupLocation < 0) for (int d = 0; d < q.Amount.Length; d++) load[d] += q.Amount[d];
        }
        for (int d = 0; d < dims; d++)
            if (vehicle.Capacity.Length > 0 && load[d] > vehicle.Capacity[d]) return $"start load {load[d]} above capacity";
        double t = vehicle.Shift.Earliest;
        int at = vehicle.StartLocation;
        var picked = new HashSet<int>();
        foreach (var v in route.Visits)
        {
            var q = problem.Requests[v.RequestIndex];
            int loc = v.IsPickup ? q.PickupLocation : q.DeliveryLocation;
            var w = v.IsPickup ? q.PickupWindow : q.DeliveryWindow;
            double travel = at < 0 ? 0 : m.Duration(at, loc);
            t = Math.Max(t + travel, w.Earliest);
            // A soft window may be missed (at its price); a hard one never.
            if (!w.IsSoft && t > w.Latest + 1e-6) return $"request {q.Id} {(v.IsPickup ? "pickup" : "delivery")} at {t}, after {w.Latest}";
            if (v.IsPickup) picked.Add(v.RequestIndex);
            else if (q.PickupLocation >= 0 && !picked.Contains(v.RequestIndex)) return $"request {q.Id} delivered before its pickup";
            for (int d = 0; d < q.Amount.Length; d++) load[d] += v.IsPickup ? q.Amount[d] : -q.Amount[d];
            for (int d = 0; d < dims; d++)
                if (vehicle.Capacity.Length > 0 && load[d] > vehicle.Capacity[d]) return $"load {load[d]} above capacity after request {q.Id}";
            t += v.IsPickup ? q.PickupServiceMinutes : q.DeliveryServiceMinutes;
            at = loc;
        }
        if (vehicle.EndLocation >= 0 && at >= 0) t += m.Duration(at, vehicle.EndLocation);
        if (!vehicle.Shift.IsSoft && t > vehicle.Shift.Latest + 1e-6) return $"back at {t}, after the shift ends at {vehicle.Shift.Latest}";
        return null;
    }

    /// <summary>Route distance from the matrix alone.</summary>
    public static double Distance(RoutingProblem problem, PlannedRoute route)
    {
        var vehicle = problem.Vehicles[route.VehicleIndex];
        var m = problem.Matrix;
        double dist = 0;
        int at = vehicle.StartLocation;
        foreach (var v in route.Visits)
        {
            var q = problem.Requests[v.RequestIndex];
            int loc = v.IsPickup ? q.PickupLocation : q.DeliveryLocation;
            if (at >= 0) dist += m.Distance(at, loc);
            at = loc;
        }
        if (vehicle.EndLocation >= 0 && at >= 0) dist += m.Distance(at, vehicle.EndLocation);
        return dist;
    }

    /// <summary>
    /// Vehicle 0 serving the stops in the given order, simulated from the problem alone: distance
    /// and schedule cost (soft-window lateness and click-to-door, weighed by the objective), or null
    /// when a hard window, the shift end or the capacity breaks.
    /// </summary>
    public static (double Distance, double ScheduleCost)? Simulate(RoutingProblem problem, (int Request, bool Pickup)[] order)
    {
        var vehicle = problem.Vehicles[0];
        var m = problem.Matrix;
        var objective = problem.Objective;
        double t = vehicle.Shift.Earliest, dist = 0, schedule = 0;
        long load = 0;
        int at = vehicle.StartLocation;
        foreach (var (r, pickup) in order)
        {
            var q = problem.Requests[r];
            int loc = pickup ? q.PickupLocation : q.DeliveryLocation;
            var w = pickup ? q.PickupWindow : q.DeliveryWindow;
            t = Math.Max(t + m.Duration(at, loc), w.Earliest);
            if (w.IsSoft) schedule += w.LatePenaltyPerMinute * objective.LatenessWeight * Math.Max(0, t - w.Latest);
            else if (t > w.Latest) return null;
            if (!pickup) schedule += objective.ClickToDoorPerMinute * Math.Max(0, t - (q.PlacedAt ?? q.PickupWindow.Earliest));
            load += pickup ? q.Amount[0] : -q.Amount[0];
            if (load > vehicle.Capacity[0]) return null;
            t += pickup ? q.PickupServiceMinutes : q.DeliveryServiceMinutes;
            dist += m.Distance(at, loc);
            at = loc;
        }
        t += m.Duration(at, vehicle.EndLocation);
        if (t > vehicle.Shift.Latest) return null;
        return (dist + m.Distance(at, vehicle.EndLocation), schedule);
    }
}
