namespace Dispatch.Core.Tests.Routing;

public class LocalSearchTests
{
    [Theory]
    [MemberData(nameof(RoutingTestProblems.MediumSeeds), MemberType = typeof(RoutingTestProblems))]
    public void Descent_keeps_every_rule_and_never_raises_cost(int seed)
    {
        var pb = RoutingTestProblems.Medium(seed);
        var s = RoutingTestProblems.FirstSolution(pb, seed);
        double before = s.RoutesCost;
        int pending = s.PendingCount, used = s.UsedRoutes;
        new LocalSearch(pb).Descend(s);
        Assert.Equal(pending, s.PendingCount);
        Assert.True(s.UsedRoutes <= used);
        Assert.True(s.RoutesCost <= before + 1e-9, $"{s.RoutesCost} > {before}");
        double sum = s.Routes.Sum(r => r.Cost);
        Assert.Equal(sum, s.RoutesCost, 6);
        RoutingTestProblems.AssertFeasible(pb, s);
    }

    /// <summary>
    /// Depots at 0 and 100, each vehicle with time for one request (pickups due by 100, ready at 50),
    /// each request put on the far vehicle. Relocate cannot help (neither route has room in time for
    /// a second request) nor 2-opt* (the vehicles differ); only trading the two requests can, and
    /// the descent must find it: 2 x (5 + 1 + 6) instead of 2 x (95 + 1 + 94).
    /// </summary>
    [Fact]
    public void Exchange_trades_requests_that_neither_route_could_take_alone()
    {
        var matrix = TravelMatrix.FromCoordinates([0, 100, 5, 6, 95, 94], [0, 0, 0, 0, 0, 0]);
        RoutingRequest[] requests =
        [
            new(1, 2, 3) { PickupWindow = new TimeWindow(50, 100) },
            new(2, 4, 5) { PickupWindow = new TimeWindow(50, 100) },
        ];
        RoutingVehicle[] fleet =
        [
            new(1) { StartLocation = 0, EndLocation = 0 },
            new(2) { StartLocation = 1, EndLocation = 1 },
        ];
        var pb = new CompiledProblem(new RoutingProblem(matrix, requests, fleet));
        var s = new SolutionState(pb);
        s.Insert(0, 1, 0, 0);
        s.Insert(1, 0, 0, 0);
        Assert.Equal(2 * (95 + 1 + 94), s.RoutesCost, 6);

        Assert.True(new LocalSearch(pb).Descend(s));
        Assert.Equal(2 * (5 + 1 + 6), s.RoutesCost, 6);
        Assert.Equal(0, s.RequestVehicle[0]);
        Assert.Equal(1, s.RequestVehicle[1]);
        RoutingTestProblems.AssertFeasible(pb, s);
        s.Resum();
        Assert.Equal(24, s.RoutesCost, 6);
    }

    /// <summary>A descent whose deadline has passed, or that is cancelled, makes no move: the search's time limit
    /// holds even when it runs out inside a descent. The same descent without a deadline does improve.</summary>
    [Fact]
    public void Descent_past_its_deadline_or_cancelled_moves_nothing()
    {
        var pb = RoutingTestProblems.Medium(1);
        var first = RoutingTestProblems.FirstSolution(pb, 1);
        var free = new SolutionState(pb);
        free.CopyFrom(first, default, all: true);
        Assert.True(new LocalSearch(pb).Descend(free), "the medium problem's first solution has an improving move");

        var late = new SolutionState(pb);
        late.CopyFrom(first, default, all: true);
        Assert.False(new LocalSearch(pb).Descend(late, deadline: System.Diagnostics.Stopwatch.GetTimestamp() - 1));
        Assert.Equal(first.RoutesCost, late.RoutesCost);

        var cancelled = new SolutionState(pb);
        cancelled.CopyFrom(first, default, all: true);
        Assert.False(new LocalSearch(pb).Descend(cancelled, cancel: new CancellationToken(canceled: true)));
        Assert.Equal(first.RoutesCost, cancelled.RoutesCost);
        for (int r = 0; r < pb.Requests; r++) Assert.Equal(first.RequestVehicle[r], cancelled.RequestVehicle[r]);
    }
}
