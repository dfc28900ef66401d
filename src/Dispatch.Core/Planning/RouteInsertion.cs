using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// Cheapest insertion of one order into a courier's route (general profile): every pickup / drop-off
/// position pair after the route's fixed head, within the courier's capacity, with no pickup after
/// its shift end and every time window kept (hard): no pickup after its order's PickupBy, no drop-off
/// after its DeliverBy. A stop of the given route whose window is already broken (the world changed
/// after it was committed) may stay broken but never gets later than it is. Shared by the insertion
/// planner (new orders), the re-sequencer and the improvement moves. Scratch buffers are owned here;
/// nothing is allocated per call.
/// </summary>
internal sealed class RouteInsertion<TTravel> where TTravel : struct, ITravelTime
{
    private readonly EngineState _s;
    private TTravel _travel;
    private readonly RouteStop[] _work;
    private readonly double[] _limit;

    public RouteInsertion(EngineState state, TTravel travel)
    {
        _s = state;
        _travel = travel;
        _work = new RouteStop[state.Options.MaxRouteStops + 2];
        _limit = new double[state.Options.MaxRouteStops + 2];
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
    /// and returns its cost from <paramref name="keep"/> on (+inf when nothing fits): <see cref="Cost"/>, plus
    /// <paramref name="courierWeight"/> times the route's end (the improvement moves price courier time; the
    /// insertion planner and the re-planning re-sequencer do not). A stop whose window is already broken in
    /// <paramref name="reference"/> (the committed route <paramref name="route"/> was taken from;
    /// <paramref name="route"/> itself when empty) may stay as late as it is there, no later.
    /// </summary>
    public double Best(int c, ReadOnlySpan<RouteStop> route, int keep, int o, bool withPickup, double x, double y, double time, Span<RouteStop> best, out int bestLen,
        ReadOnlySpan<RouteStop> reference = default, double courierWeight = 0)
    {
        var os = _s.Orders;
        int len = route.Length;
        bestLen = 0;
        int add = withPickup ? 2 : 1;
        if (len + add > _s.Couriers.MaxStops) return double.PositiveInfinity;
        double bestCost = double.PositiveInfinity;
        int site = os.Site[o];
        ReferenceLimits(route, reference.IsEmpty ? route : reference);
        var times = _s.Times;
        double pickupLimit = Math.Min(os.PickupBy[o], _s.Couriers.ShiftEnd[c]);
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
                RouteTiming.Retime(ref _travel, trial, keep, sx, sy, st, times);
                // The pickup's time does not depend on where the drop-off goes: too late here, too late for every j.
                if (withPickup && trial[i].ServiceAt > pickupLimit) break;
                if (!WindowsHold(c, trial, keep, withPickup ? i : -1, j)) continue;
                double cost = Cost(trial, keep);
                if (courierWeight != 0) cost += courierWeight * trial[w - 1].Leave;
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

    /// <summary>
    /// True when the timed <paramref name="after"/>, the route <paramref name="before"/> with one order's
    /// stops taken out (the others in the same order), keeps every stop from the pickup group at
    /// <paramref name="keep"/> on within its window (or no later than in <paramref name="before"/> when that
    /// window was already broken) and no pickup after courier <paramref name="c"/>'s shift end. Removing
    /// stops rarely delays the others, but can when travel times break the triangle inequality.
    /// </summary>
    public bool RemovalKeepsWindows(int c, ReadOnlySpan<RouteStop> before, ReadOnlySpan<RouteStop> after, int keep)
    {
        if (keep >= after.Length) return true;
        var os = _s.Orders;
        double end = _s.Couriers.ShiftEnd[c];
        int from = RouteTiming.GroupStart(after, keep);
        int b = 0;
        for (int w = 0; w < after.Length; w++)
        {
            ref readonly RouteStop r = ref after[w];
            while (b < before.Length && (before[b].Order != r.Order || before[b].Kind != r.Kind)) b++;
            if (b == before.Length) return false;
            if (w >= from)
            {
                double window = r.Kind == StopKind.Pickup ? os.PickupBy[r.Order] : os.DeliverBy[r.Order];
                if (r.ServiceAt > Math.Max(window, before[b].ServiceAt)) return false;
                if (r.Kind == StopKind.Pickup && r.ServiceAt > end) return false;
            }
            b++;
        }
        return true;
    }

    /// <summary>
    /// The latest each stop of <paramref name="route"/> may be served after an insertion: its window's
    /// end (PickupBy or DeliverBy), or its time in <paramref name="reference"/> (which holds the same stops,
    /// usually in the same order, and maybe more) when that is already later: a window the world broke may
    /// stay broken, never get worse.
    /// </summary>
    private void ReferenceLimits(ReadOnlySpan<RouteStop> route, ReadOnlySpan<RouteStop> reference)
    {
        var os = _s.Orders;
        int b = 0;
        for (int a = 0; a < route.Length; a++)
        {
            ref readonly RouteStop r = ref route[a];
            double window = r.Kind == StopKind.Pickup ? os.PickupBy[r.Order] : os.DeliverBy[r.Order];
            int m = Find(reference, b, r);
            if (m < 0) m = Find(reference[..Math.Min(b, reference.Length)], 0, r); // out of order (a re-sequenced copy)
            _limit[a] = m >= 0 ? Math.Max(window, reference[m].ServiceAt) : window;
            if (m >= 0) b = m + 1;
        }

        static int Find(ReadOnlySpan<RouteStop> stops, int from, in RouteStop r)
        {
            for (int i = from; i < stops.Length; i++)
                if (stops[i].Order == r.Order && stops[i].Kind == r.Kind) return i;
            return -1;
        }
    }

    /// <summary>
    /// True when every stop of the timed <paramref name="trial"/> from the pickup group at
    /// <paramref name="keep"/> on is within its limit and no pickup is after the shift end. The inserted
    /// order's stops sit at <paramref name="pickupAt"/> (-1: none) and <paramref name="dropAt"/>; the
    /// others map back to the reference route the limits were taken from.
    /// </summary>
    private bool WindowsHold(int c, ReadOnlySpan<RouteStop> trial, int keep, int pickupAt, int dropAt)
    {
        var os = _s.Orders;
        double end = _s.Couriers.ShiftEnd[c];
        for (int w = RouteTiming.GroupStart(trial, Math.Min(keep, trial.Length - 1)); w < trial.Length; w++)
        {
            ref readonly RouteStop r = ref trial[w];
            double limit;
            if (w == pickupAt) limit = os.PickupBy[r.Order];
            else if (w == dropAt) limit = os.DeliverBy[r.Order];
            else limit = _limit[w - (pickupAt >= 0 && w > pickupAt ? 1 : 0) - (w > dropAt ? 1 : 0)];
            if (r.ServiceAt > limit) return false;
            if (r.Kind == StopKind.Pickup && r.ServiceAt > end) return false;
        }
        return true;
    }
}
