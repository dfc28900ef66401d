using Dispatch.Routing.Search;

namespace Dispatch.Core.Tests.Routing;

public class LocalSearchTests
{
    /// <summary>Every position's service starts within its window and the load stays within capacity, re-derived from the stop order.</summary>
    private static void AssertFeasible(CompiledProblem pb, SolutionState s)
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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Descent_keeps_every_rule_and_never_raises_cost(int seed)
    {
        var problem = RoutingTestProblems.Random(seed, requests: 40, vehicles: 15, capacity: 4, horizon: 700);
        var pb = new CompiledProblem(problem);
        var search = new AlnsSearch(pb, vehiclesFirst: true, seed: seed);
        search.Construct(Enumerable.Range(0, pb.Requests).ToArray());
        var s = new SolutionState(pb);
        s.CopyFrom(search.Best, default, all: true);
        double before = s.RoutesCost;
        int pending = s.PendingCount, used = s.UsedRoutes;
        new LocalSearch(pb).Descend(s);
        Assert.Equal(pending, s.PendingCount);
        Assert.True(s.UsedRoutes <= used);
        Assert.True(s.RoutesCost <= before + 1e-9, $"{s.RoutesCost} > {before}");
        double sum = s.Routes.Sum(r => r.Cost);
        Assert.Equal(sum, s.RoutesCost, 6);
        AssertFeasible(pb, s);
    }
}
