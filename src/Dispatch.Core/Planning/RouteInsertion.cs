using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// Cheapest insertion of one order into a courier's route (general profile): every pickup / drop-off
/// position pair after the route's fixed head, within the courier's capacity and with no pickup after
/// its shift end. Shared by the insertion planner (new orders) and the re-sequencer (moving an order
/// already on the route). Scratch buffers are owned here; nothing is allocated per call.
/// </summary>
internal sealed class RouteInsertion<TTravel> where TTravel : struct, ITravelTime
{
    private readonly EngineState _s;
    private TTravel _travel;
    private readonly RouteStop[] _work;

    public RouteInsertion(EngineState state, TTravel travel)
    {
        _s = state;
        _travel = travel;
        _work = new RouteStop[state.Options.MaxRouteStops + 2];
    }

    /// <summary>Index of the first stop that may move: the head (and the pickups grouped with it) stays.</summary>
    public static int FixedHead(ReadOnlySpan<RouteStop> route)
    {
        return route.Length > 0 ? RouteTiming.GroupEnd(route, 0) : 0;
    }

    /// <summary>
    /// Inserts order <paramref name="o"/> into <paramref name="route"/> (stops before <paramref name="keep"/>
    /// stay) at the cheapest feasible place: its pickup and drop-off when <paramref name="withPickup"/>, its
    /// drop-off only when it is already on board. The route is timed from (x, y) at <paramref name="time"/>
    /// when nothing is kept, else from the last kept stop. Writes the best route into <paramref name="best"/>
    /// and returns its cost from <paramref name="keep"/> on (+inf when nothing fits).
    /// </summary>
    public double Best(int c, ReadOnlySpan<RouteStop> route, int keep, int o, bool withPickup, double x, double y, double time, Span<RouteStop> best, out int bestLen)
    {
        var os = _s.Orders;
        int len = route.Length;
        bestLen = 0;
        int add = withPickup ? 2 : 1;
        if (len + add > _s.Couriers.MaxStops) return double.PositiveInfinity;
        double bestCost = double.PositiveInfinity;
        int site = os.Site[o];
        int iFrom = withPickup ? keep : -1, iTo = withPickup ? len : -1;
        for (int i = iFrom; i <= iTo; i++)
        {
            int jFrom = withPickup ? i + 1 : keep, jTo = withPickup ? len + 1 : len;
            for (int j = jFrom; j <= jTo; j++)
            {
                // route[0..i) + pickup + route[i..j-1) + drop + route[j-1..len)   (without pickup: drop at j)
                var t = _work;
                int w = 0;
                if (withPickup)
                {
                    for (int a = 0; a < i; a++) t[w++] = route[a];
                    t[w++] = new RouteStop { Order = o, Kind = StopKind.Pickup, X = _s.Sites.X[site], Y = _s.Sites.Y[site] };
                    for (int a = i; a < j - 1; a++) t[w++] = route[a];
                    t[w++] = new RouteStop { Order = o, Kind = StopKind.Dropoff, X = os.DropX[o], Y = os.DropY[o] };
                    for (int a = j - 1; a < len; a++) t[w++] = route[a];
                }
                else
                {
                    for (int a = 0; a < j; a++) t[w++] = route[a];
                    t[w++] = new RouteStop { Order = o, Kind = StopKind.Dropoff, X = os.DropX[o], Y = os.DropY[o] };
                    for (int a = j; a < len; a++) t[w++] = route[a];
                }
                var trial = t.AsSpan(0, w);
                if (!FitsCapacity(c, trial)) continue;
                double sx = x, sy = y, st = time;
                if (keep > 0) { sx = trial[keep - 1].X; sy = trial[keep - 1].Y; st = trial[keep - 1].Leave; }
                RouteTiming.Retime(ref _travel, trial, keep, sx, sy, st, os.ReadyAt, _s.Options.PickupServiceMinutes, _s.Options.DropoffServiceMinutes);
                if (!PickupsInShift(c, trial, keep)) continue;
                double cost = Cost(trial, keep);
                if (cost < bestCost)
                {
                    bestCost = cost;
                    bestLen = w;
                    trial.CopyTo(best);
                }
            }
        }
        return bestCost;
    }

    /// <summary>Sum over the drop-offs from <paramref name="from"/> on of the click-to-door penalty.</summary>
    public double Cost(ReadOnlySpan<RouteStop> route, int from)
    {
        var os = _s.Orders;
        var opt = _s.Options;
        double cost = 0;
        for (int i = from; i < route.Length; i++)
        {
            if (route[i].Kind != StopKind.Dropoff) continue;
            double c2d = route[i].ServiceAt - os.PlacedAt[route[i].Order];
            cost += c2d;
            if (c2d > opt.TargetClickToDoorMinutes) cost += opt.OverTargetWeight * (c2d - opt.TargetClickToDoorMinutes);
            if (c2d > opt.MaxClickToDoorMinutes) cost += opt.OverMaxWeight * (c2d - opt.MaxClickToDoorMinutes);
        }
        return cost;
    }

    private bool FitsCapacity(int c, ReadOnlySpan<RouteStop> route)
    {
        var os = _s.Orders;
        int load = 0;
        // Orders already on board: drop-offs whose order is picked up.
        for (int i = 0; i < route.Length; i++)
            if (route[i].Kind == StopKind.Dropoff && os.Status[route[i].Order] == OrderStatus.PickedUp) load += os.Size[route[i].Order];
        int cap = _s.Couriers.Capacity[c];
        if (load > cap) return false;
        for (int i = 0; i < route.Length; i++)
        {
            int o = route[i].Order;
            if (route[i].Kind == StopKind.Pickup) { load += os.Size[o]; if (load > cap) return false; }
            else load -= os.Size[o];
        }
        return true;
    }

    private bool PickupsInShift(int c, ReadOnlySpan<RouteStop> route, int from)
    {
        double end = _s.Couriers.ShiftEnd[c];
        for (int i = from; i < route.Length; i++)
            if (route[i].Kind == StopKind.Pickup && route[i].ServiceAt > end) return false;
        return true;
    }
}
