namespace Dispatch.Core.Tests.Routing;

[Collection(AllocationCollection.Name)]
public class RouteMinimizerTests
{
    /// <summary>After every step of a route deletion: each request is on exactly the route its vehicle names or in the
    /// pool once, every route keeps every rule, and the pool never opens a route.</summary>
    [Theory]
    [MemberData(nameof(RoutingTestProblems.MediumSeeds), MemberType = typeof(RoutingTestProblems))]
    public void Every_step_keeps_every_rule_and_loses_no_request(int seed)
    {
        var pb = RoutingTestProblems.Medium(seed);
        // The pool runs from a solution with every request on a route: the requests the first solution leaves out
        // (windows no vehicle can reach) are left out of the problem the search is given.
        var first = RoutingTestProblems.FirstSolution(pb, seed);
        var placed = Enumerable.Range(0, pb.Requests).Where(r => first.RequestVehicle[r] >= 0).ToArray();
        var s = RoutingTestProblems.FirstSolution(pb, seed, placed);
        Assert.Equal(0, s.PendingCount);
        int routes = s.UsedRoutes;
        var minimizer = new RouteMinimizer(pb);
        var rng = new SearchRandom(seed);
        minimizer.Begin(s, ref rng);
        Assert.Equal(routes - 1, s.UsedRoutes);
        Assert.True(s.PendingCount > 0);
        for (int step = 0; step < 300 && s.PendingCount > 0; step++)
        {
            minimizer.Step(s, ref rng);
            Assert.True(s.UsedRoutes <= routes - 1, $"step {step}: {s.UsedRoutes} routes, the pool opened one");
            AssertAccounted(pb, s, placed);
            RoutingTestProblems.AssertFeasible(pb, s);
            Assert.Equal(s.Routes.Sum(r => r.Cost), s.RoutesCost, 6);
        }
    }

    /// <summary>Oracle: on tiny problems, from one route per request, route deletions by the pool alone reach the
    /// fewest vehicles the brute force finds (every request served). Without starting a deletion again (another random
    /// route) it stays a vehicle above on seed 7: some routes cannot be the one deleted.</summary>
    [Fact]
    public void From_a_route_per_request_the_pool_reaches_the_fewest_vehicles_on_tiny_problems()
    {
        int compared = 0;
        for (int seed = 1; seed <= 40; seed++)
        {
            var problem = RoutingTestProblems.Random(seed, requests: 5, vehicles: 5, capacity: 3, horizon: 300);
            var exact = BruteForceOracle.Solve(problem);
            if (exact.Unserved > 0) continue; // the pool never leaves a request out: only problems with every request served
            var pb = new CompiledProblem(problem);
            var best = new SolutionState(pb);
            for (int r = 0; r < pb.Requests; r++) best.Insert(r, r, 0, 0);
            RoutingTestProblems.AssertFeasible(pb, best);
            var work = new SolutionState(pb);
            var minimizer = new RouteMinimizer(pb);
            var rng = new SearchRandom(seed);
            int attempts = 0;
            while (best.UsedRoutes > exact.Vehicles && attempts++ < 20)
            {
                work.CopyFrom(best, default, all: true);
                minimizer.Begin(work, ref rng);
                // As the search does: a deletion that has not emptied the pool in 100 steps per request starts again.
                for (int step = 0; step < 100 * pb.Requests && work.PendingCount > 0; step++) minimizer.Step(work, ref rng);
                if (work.PendingCount > 0) continue;
                RoutingTestProblems.AssertFeasible(pb, work);
                best.CopyFrom(work, default, all: true);
            }
            Assert.True(exact.Vehicles == best.UsedRoutes, $"seed {seed}: pool {best.UsedRoutes} vehicles, exact {exact.Vehicles}");
            compared++;
        }
        Assert.True(compared >= 20, $"only {compared} problems compared");
    }

    [Fact]
    public void Ejection_steps_allocate_nothing()
    {
        var problem = RoutingTestProblems.Random(7, requests: 60, vehicles: 25, capacity: 4, horizon: 700);
        var pb = new CompiledProblem(problem);
        var search = new AlnsSearch(pb, vehiclesFirst: true, seed: 7);
        search.Construct(Enumerable.Range(0, pb.Requests).ToArray());
        // Warm-up: JIT tiers and the route buffers' working size.
        search.EliminateByEjection(new SearchBudget(null, 2000, System.Diagnostics.Stopwatch.GetTimestamp()), default, share: 1.0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        search.EliminateByEjection(new SearchBudget(null, search.Iterations + 2000, System.Diagnostics.Stopwatch.GetTimestamp()), default, share: 1.0);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    private static void AssertAccounted(CompiledProblem pb, SolutionState s, int[] placed)
    {
        var inPool = new int[pb.Requests];
        for (int k = 0; k < s.PendingCount; k++) inPool[s.Pending[k]]++;
        var onRoute = new int[pb.Requests];
        foreach (var route in s.Routes)
            for (int k = 1; k <= route.Count; k++)
            {
                int r = CompiledProblem.RequestOf(route.Stop[k]);
                onRoute[r]++;
                Assert.Equal(route.Vehicle, s.RequestVehicle[r]);
            }
        foreach (int r in placed)
        {
            bool pending = s.RequestVehicle[r] < 0;
            Assert.True(pending ? inPool[r] == 1 && onRoute[r] == 0 : inPool[r] == 0 && onRoute[r] == 2,
                $"request {r}: vehicle {s.RequestVehicle[r]}, in the pool {inPool[r]} times, {onRoute[r]} stops on routes");
        }
    }
}
