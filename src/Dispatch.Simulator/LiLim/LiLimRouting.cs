using Dispatch.Routing;

namespace Dispatch.Simulator.LiLim;

/// <summary>
/// A Li &amp; Lim instance as a Core <see cref="RoutingProblem"/> and back: node ids are location
/// indexes (Euclidean, unrounded: travel time = distance), one request per pickup node, the
/// instance's vehicles all at the depot with its opening hours as their shift and distance as their
/// only cost. The benchmark's objective is fewest vehicles, then distance: vehicles first.
/// </summary>
public static class LiLimRouting
{
    public static RoutingProblem ToProblem(LiLimInstance instance)
    {
        var nodes = instance.Nodes;
        var x = new double[nodes.Length];
        var y = new double[nodes.Length];
        for (int i = 0; i < nodes.Length; i++) { x[i] = nodes[i].X; y[i] = nodes[i].Y; }
        var matrix = TravelMatrix.FromCoordinates(x, y);
        var requests = new List<RoutingRequest>(instance.Requests);
        for (int i = 1; i < nodes.Length; i++)
        {
            var p = nodes[i];
            if (p.Delivery == 0) continue;
            var d = nodes[p.Delivery];
            requests.Add(new RoutingRequest(p.Id, p.Id, d.Id)
            {
                PickupWindow = new TimeWindow(p.Ready, p.Due),
                DeliveryWindow = new TimeWindow(d.Ready, d.Due),
                PickupServiceMinutes = p.Service,
                DeliveryServiceMinutes = d.Service,
                Amount = [p.Demand],
            });
        }
        var depot = instance.Depot;
        var vehicles = new RoutingVehicle[instance.Vehicles];
        for (int v = 0; v < vehicles.Length; v++)
        {
            vehicles[v] = new RoutingVehicle(v + 1)
            {
                StartLocation = 0,
                EndLocation = 0,
                Shift = new TimeWindow(depot.Ready, depot.Due),
                Capacity = [instance.Capacity],
                CostPerMinute = 0,
                CostPerDistance = 1,
            };
        }
        return new RoutingProblem(matrix, requests, vehicles);
    }

    /// <summary>The solution's routes as node-id arrays, depot left out (the benchmark's solution format).</summary>
    public static IReadOnlyList<int[]> ToRoutes(RoutingSolution solution)
    {
        var routes = new List<int[]>(solution.Routes.Count);
        foreach (var route in solution.Routes)
        {
            var ids = new int[route.Visits.Count];
            for (int k = 0; k < ids.Length; k++) ids[k] = route.Visits[k].Location;
            routes.Add(ids);
        }
        return routes;
    }
}
