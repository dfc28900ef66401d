using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// Turns a decision into committed state and tells the sink: appends the stops to the courier's
/// route, times them, marks the orders assigned, and moves the courier's free point to the route's end.
/// Also removes orders from routes (cancellation, release). Shared by every planner.
/// </summary>
internal sealed class RouteCommitter<TTravel> where TTravel : struct, ITravelTime
{
    private readonly EngineState _s;
    private TTravel _travel;
    private PlannedStop[] _out;
    private int _commits;

    public RouteCommitter(EngineState state, TTravel travel)
    {
        _s = state;
        _travel = travel;
        _out = new PlannedStop[state.Options.MaxRouteStops];
    }

    /// <summary>Assignments committed since the last call.</summary>
    public int TakeCommitCount()
    {
        int n = _commits;
        _commits = 0;
        return n;
    }

    /// <summary>Room left in a courier's route, in stops.</summary>
    public int Room(int c) => _s.Couriers.Room(c);

    /// <summary>
    /// Commits a one-site bundle (MDRP assignment) to courier <paramref name="c"/>: pickups of all
    /// orders, then drop-offs in the given sequence, starting from the courier's free point.
    /// </summary>
    public void CommitBundle<TSink>(ref TSink sink, int c, ReadOnlySpan<int> dropSequence, double now)
        where TSink : IAssignmentSink
    {
        var cs = _s.Couriers;
        var os = _s.Orders;
        cs.CompactRoute(c);
        int start = cs.RouteEnd[c];
        double fromX = cs.X[c], fromY = cs.Y[c];
        int b = c * cs.MaxStops;
        int n = dropSequence.Length;
        // The planners only offer a courier bundles its route has room for; past MaxStops the stops would overwrite the
        // next courier's slice of the stop pool, so an engine bug stops here rather than corrupting another route.
        if (start + 2 * n > cs.MaxStops)
            throw new InvalidOperationException($"courier slot {c}: a bundle of {n} orders does not fit its route ({start} of {cs.MaxStops} stops used)");
        int site = os.Site[dropSequence[0]];
        double sx = _s.Sites.X[site], sy = _s.Sites.Y[site];
        for (int i = 0; i < n; i++)
        {
            int o = dropSequence[i];
            ref RouteStop p = ref cs.Stops[b + start + i];
            p = default;
            p.Order = o; p.Kind = StopKind.Pickup; p.X = sx; p.Y = sy;
            ref RouteStop d = ref cs.Stops[b + start + n + i];
            d = default;
            d.Order = o; d.Kind = StopKind.Dropoff; d.X = os.DropX[o]; d.Y = os.DropY[o];
        }
        cs.RouteEnd[c] = start + 2 * n;
        double from = Math.Max(now, cs.FreeAt[c]);
        var route = cs.Stops.AsSpan(b, start + 2 * n);
        RouteTiming.Retime(ref _travel, route, start, cs.X[c], cs.Y[c], from, _s.Times);
        if (start == 0) cs.SetLeg(c, fromX, fromY);
        Finish(ref sink, c, route, start, n, now, isUpdate: false);
    }

    /// <summary>
    /// Replaces the courier's whole remaining route after its first <paramref name="keep"/> live stops
    /// with <paramref name="tail"/> (general profile), times it, and reports it as an update.
    /// </summary>
    public void CommitRoute<TSink>(ref TSink sink, int c, int keep, ReadOnlySpan<RouteStop> tail, int newOrders, double now)
        where TSink : IAssignmentSink
    {
        var cs = _s.Couriers;
        cs.CompactRoute(c);
        int b = c * cs.MaxStops;
        tail.CopyTo(cs.Stops.AsSpan(b + keep, tail.Length));
        cs.RouteEnd[c] = keep + tail.Length;
        var route = cs.Stops.AsSpan(b, keep + tail.Length);
        double x, y, t;
        if (keep > 0) { ref RouteStop k = ref route[keep - 1]; x = k.X; y = k.Y; t = k.Leave; }
        else { x = cs.X[c]; y = cs.Y[c]; t = Math.Max(now, cs.FreeAt[c]); }
        RouteTiming.Retime(ref _travel, route, keep, x, y, t, _s.Times);
        if (keep == 0) cs.SetLeg(c, x, y);
        Finish(ref sink, c, route, 0, newOrders, now, isUpdate: true);
    }

    private void Finish<TSink>(ref TSink sink, int c, Span<RouteStop> route, int from, int orders, double now, bool isUpdate)
        where TSink : IAssignmentSink
    {
        var cs = _s.Couriers;
        var os = _s.Orders;
        int count = route.Length - from;
        if (_out.Length < count) _out = new PlannedStop[Math.Max(count, _out.Length * 2)];
        for (int i = 0; i < count; i++)
        {
            ref RouteStop r = ref route[from + i];
            int o = r.Order;
            if (r.Kind == StopKind.Pickup)
            {
                os.PlannedPickup[o] = r.ServiceAt;
                os.Courier[o] = c;
                if (os.Status[o] == OrderStatus.Open) _s.SetStatus(o, OrderStatus.Assigned);
            }
            else
            {
                os.PlannedDrop[o] = r.ServiceAt;
                _s.ReportedDrop[o] = r.ServiceAt;
                if (_s.ReleasedFrom[o] >= 0)
                {
                    // A released order found its new courier: say so, with the reason it was released.
                    var change = new PlanChange(PlanChangeKind.Reassigned, os.Id[o], cs.Id[c], now, _s.ReleaseReason[o], _s.ReleasedFrom[o], r.ServiceAt);
                    _s.ReleasedFrom[o] = -1;
                    sink.OnPlanChange(in change);
                }
            }
            _out[i] = new PlannedStop(r.Kind, os.Id[o], r.Kind == StopKind.Pickup ? _s.Sites.Id[os.Site[o]] : -1,
                r.X, r.Y, r.Departure, r.Arrival, r.ServiceAt, r.Leave);
        }
        ref RouteStop last = ref route[route.Length - 1];
        cs.X[c] = last.X; cs.Y[c] = last.Y; cs.FreeAt[c] = last.Leave;
        _commits++;
        var info = new AssignmentInfo(cs.Id[c], now, orders, isUpdate);
        sink.OnAssignment(in info, new ReadOnlySpan<PlannedStop>(_out, 0, count));
    }

    /// <summary>
    /// Takes a not-yet-picked-up order out of its courier's route and re-times what follows. When the
    /// courier was heading to a removed stop, it turns round where it is now (reported, or estimated
    /// along its leg) and the rest of the route is re-timed from there.
    /// </summary>
    public void RemoveFromRoute(int c, int o, double now)
    {
        var cs = _s.Couriers;
        cs.CompactRoute(c);
        int b = c * cs.MaxStops;
        int len = cs.RouteEnd[c];
        bool headRemoved = len > 0 && cs.Stops[b].Order == o;
        double px = 0, py = 0;
        if (headRemoved) cs.EstimatePosition(c, now, out px, out py);
        int w = 0;
        for (int i = 0; i < len; i++)
        {
            ref RouteStop s = ref cs.Stops[b + i];
            if (s.Order == o) continue;
            cs.Stops[b + w++] = s;
        }
        cs.RouteEnd[c] = w;
        var route = cs.Stops.AsSpan(b, w);
        if (headRemoved)
        {
            // It turns round where it is now (at the removed stop, if it already got there).
            double t = now;
            if (w == 0)
            {
                cs.X[c] = px; cs.Y[c] = py; cs.FreeAt[c] = Math.Max(t, cs.ShiftStart[c]);
                return;
            }
            RouteTiming.Retime(ref _travel, route, 0, px, py, t, _s.Times);
            cs.SetLeg(c, px, py);
        }
        else if (w > 0)
        {
            RetimeAfter(route, 0);
        }
        if (w == 0) return;
        ref RouteStop last = ref route[w - 1];
        cs.X[c] = last.X; cs.Y[c] = last.Y; cs.FreeAt[c] = last.Leave;
    }

    /// <summary>
    /// Re-times a courier's route after travel times changed. Not yet under way: the whole route from
    /// where it sets off. Under way: the rest of the current leg scales by how much its travel time
    /// changed (the leg is then re-based at the courier's estimated position, so calling this again with
    /// nothing changed moves nothing); the stops after the head follow. At the head already: only what follows.
    /// </summary>
    public void RetimeForTravelChange(int c, double now)
    {
        var cs = _s.Couriers;
        var route = cs.Route(c);
        if (route.Length == 0) return;
        ref RouteStop h = ref route[0];
        double legStart = cs.LegStart[c];
        if (now < legStart)
        {
            RouteTiming.Retime(ref _travel, route, 0, cs.LegFromX[c], cs.LegFromY[c], legStart, _s.Times);
            cs.LegBase[c] = h.Arrival - legStart;
        }
        else if (now < h.Arrival)
        {
            double f = cs.LegFraction(c, now);
            double fromX = cs.LegFromX[c], fromY = cs.LegFromY[c];
            double px = fromX + (h.X - fromX) * f, py = fromY + (h.Y - fromY) * f;
            double full = _travel.Minutes(fromX, fromY, h.X, h.Y);
            double ratio = cs.LegBase[c] > 0 ? full / cs.LegBase[c] : 1;
            double arrival = now + (1 - f) * (h.Arrival - legStart) * ratio;
            cs.LegFromX[c] = px; cs.LegFromY[c] = py;
            cs.LegStart[c] = now;
            cs.LegBase[c] = _travel.Minutes(px, py, h.X, h.Y);
            SetHeadArrival(route, now, arrival);
        }
        RetimeAfter(route, 0);
        EndAtLastStop(c, route);
    }

    /// <summary>Moves the head stop (and the pickups grouped with it) to a new arrival time; its leg now
    /// departs at <paramref name="departure"/> from where the courier is estimated to be.</summary>
    private void SetHeadArrival(Span<RouteStop> route, double departure, double arrival)
    {
        ref RouteStop h = ref route[0];
        var times = _s.Times;
        if (h.Kind == StopKind.Dropoff) RouteTiming.ServeDropoff(ref h, departure, arrival, times);
        else RouteTiming.ServeGroup(route, 0, RouteTiming.GroupEnd(route, 0), departure, arrival, times);
    }

    private void EndAtLastStop(int c, Span<RouteStop> route)
    {
        var cs = _s.Couriers;
        ref RouteStop last = ref route[route.Length - 1];
        cs.X[c] = last.X; cs.Y[c] = last.Y; cs.FreeAt[c] = last.Leave;
    }

    /// <summary>Re-times the stops after index <paramref name="i"/> of a route, keeping stop i's times
    /// (and those of the pickups grouped with it: a bundle being collected stays whole).</summary>
    public void RetimeAfter(Span<RouteStop> route, int i)
    {
        int j = RouteTiming.GroupEnd(route, i);
        ref RouteStop e = ref route[j - 1];
        RouteTiming.Retime(ref _travel, route, j, e.X, e.Y, e.Leave, _s.Times);
    }
}
