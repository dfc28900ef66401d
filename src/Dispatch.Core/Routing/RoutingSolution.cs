namespace Dispatch.Routing;

/// <summary>One stop of a planned route.</summary>
/// <param name="RequestIndex">Index of the request in the problem.</param>
/// <param name="RequestId">The request's id.</param>
/// <param name="IsPickup">True at the pickup, false at the delivery.</param>
/// <param name="Location">Location index.</param>
/// <param name="Arrival">When the vehicle arrives.</param>
/// <param name="ServiceStart">When service starts (arrival plus any wait for the window).</param>
/// <param name="Departure">When service ends.</param>
/// <param name="Load">Load on board after this stop, per capacity dimension.</param>
public readonly record struct RouteVisit(int RequestIndex, long RequestId, bool IsPickup, int Location, double Arrival, double ServiceStart, double Departure, int[] Load)
{
    /// <summary>Minutes waited for the window to open.</summary>
    public double Waiting => ServiceStart - Arrival;
    /// <summary>Minutes service starts after the end of a soft window (0 for a hard window, which is never missed).</summary>
    public double LateMinutes { get; init; }
}

/// <summary>A vehicle's route in a solution.</summary>
/// <param name="VehicleIndex">Index of the vehicle in the problem.</param>
/// <param name="VehicleId">The vehicle's id.</param>
/// <param name="Departure">When it leaves its start.</param>
/// <param name="EndArrival">When it reaches its end (or finishes its last stop when it has no end).</param>
/// <param name="StartLoad">Load on board when it leaves (deliveries loaded at the start).</param>
/// <param name="Visits">Its stops in order.</param>
/// <param name="Distance">Distance driven.</param>
/// <param name="TravelMinutes">Minutes driving.</param>
/// <param name="Cost">Fixed cost plus the per-minute and per-distance costs, plus lateness and click-to-door where the objective prices them.</param>
public sealed record PlannedRoute(int VehicleIndex, long VehicleId, double Departure, double EndArrival, int[] StartLoad,
    IReadOnlyList<RouteVisit> Visits, double Distance, double TravelMinutes, double Cost)
{
    /// <summary>Minutes back at the end after a soft shift's end (overtime; 0 with a hard shift).</summary>
    public double OvertimeMinutes { get; init; }
}

/// <summary>What the optimizer found: routes, unassigned requests with reasons, totals.</summary>
public sealed class RoutingSolution
{
    internal RoutingSolution(IReadOnlyList<PlannedRoute> routes, IReadOnlyList<UnassignedRequest> unassigned, long iterations, TimeSpan elapsed, TimeSpan? firstComplete)
    {
        Routes = routes;
        Unassigned = unassigned;
        Iterations = iterations;
        Elapsed = elapsed;
        FirstComplete = firstComplete;
        foreach (var r in routes)
        {
            Cost += r.Cost;
            Distance += r.Distance;
            TravelMinutes += r.TravelMinutes;
            foreach (var v in r.Visits) LateMinutes += v.LateMinutes;
        }
    }

    /// <summary>Routes of the vehicles used (empty routes left out).</summary>
    public IReadOnlyList<PlannedRoute> Routes { get; }
    /// <summary>Requests on no route, each with the reason.</summary>
    public IReadOnlyList<UnassignedRequest> Unassigned { get; }
    /// <summary>Vehicles used.</summary>
    public int VehiclesUsed => Routes.Count;
    /// <summary>Sum of route costs (unassigned requests not included).</summary>
    public double Cost { get; }
    /// <summary>Total distance.</summary>
    public double Distance { get; }
    /// <summary>Total minutes driving.</summary>
    public double TravelMinutes { get; }
    /// <summary>Minutes late at soft windows, summed over every visit.</summary>
    public double LateMinutes { get; }
    /// <summary>Search iterations run.</summary>
    public long Iterations { get; }
    /// <summary>Time spent.</summary>
    public TimeSpan Elapsed { get; }
    /// <summary>When the search first had every servable request on a route (null if it never did).</summary>
    public TimeSpan? FirstComplete { get; }
}
