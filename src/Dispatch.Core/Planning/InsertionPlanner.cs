using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Spatial;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// The general-profile planner: multi-site routes. Each open order, most urgent (earliest ready)
/// first, is inserted where it adds least cost into the not-yet-started part of a candidate
/// courier's route: its pickup at some position, its drop-off at a later one, within the courier's
/// capacity and before its shift end for pickups. The stop a courier is heading to stays fixed. An
/// insertion into an idle courier is postponed while waiting one more tick still makes the pickup
/// on time; an insertion into a moving courier's route is committed at once (it can still be
/// re-sequenced later because only the head stop is fixed).
/// </summary>
internal sealed class InsertionPlanner<TTravel> where TTravel : struct, ITravelTime
{
    private readonly EngineState _s;
    private TTravel _travel;
    private readonly RouteCommitter<TTravel> _commit;
    private readonly CourierGrid _grid = new();
    private readonly int _k;
    private int[] _orders = [];
    private int _cols;
    private int[] _colCourier = [];
    private double[] _colX = [], _colY = [], _colAvail = [];
    private readonly int[] _cand;
    private readonly double[] _candArrival;
    private readonly RouteStop[] _trial, _best, _trialWork;

    public InsertionPlanner(EngineState state, TTravel travel, RouteCommitter<TTravel> commit)
    {
        _s = state;
        _travel = travel;
        _commit = commit;
        _k = state.Options.CandidateCouriersPerSite;
        _cand = new int[_k];
        _candArrival = new double[_k];
        _trial = new RouteStop[state.Options.MaxRouteStops];
        _best = new RouteStop[state.Options.MaxRouteStops];
        _trialWork = new RouteStop[state.Options.MaxRouteStops + 2];
        EnsureCapacity();
    }

    public void EnsureCapacity()
    {
        if (_orders.Length < _s.Orders.Id.Length) _orders = new int[_s.Orders.Id.Length];
        int nc = _s.Couriers.Id.Length;
        if (_colCourier.Length < nc)
        {
            _colCourier = new int[nc]; _colX = new double[nc]; _colY = new double[nc]; _colAvail = new double[nc];
        }
        _grid.EnsureCapacity(nc);
    }

    public void Plan<TSink>(double now, ref TSink sink) where TSink : IAssignmentSink
    {
        var os = _s.Orders;
        var open = _s.OpenOrders.Items;
        int n = 0;
        for (int i = 0; i < open.Length; i++)
            if (os.PlacedAt[open[i]] <= now) _orders[n++] = open[i];
        if (n == 0) return;
        var span = _orders.AsSpan(0, n);
        UrgencyOrder.Sort(span, os.ReadyAt);

        var cs = _s.Couriers;
        double horizon = now + _s.Options.CourierLookaheadMinutes;
        double tick = _s.Options.TickIntervalMinutes;
        double halfP = _s.Options.PickupServiceMinutes * 0.5;
        for (int i = 0; i < n; i++)
        {
            int o = span[i];
            // Candidate couriers are rebuilt per order because each insertion moves a route's end.
            BuildColumns(now, horizon);
            if (_cols == 0) return;
            _grid.Build(_colX, _colY, _colAvail, _cols);
            int site = os.Site[o];
            int found = _grid.Nearest(ref _travel, _s.Sites.X[site], _s.Sites.Y[site], now, _k, _cand, _candArrival);
            double bestCost = double.PositiveInfinity;
            int bestCourier = -1, bestLen = 0, bestKeep = 0;
            for (int j = 0; j < found; j++)
            {
                int c = _colCourier[_cand[j]];
                double cost = BestInsertion(c, o, now, out int len, out int keep);
                if (cost < bestCost)
                {
                    bestCost = cost; bestCourier = c; bestLen = len; bestKeep = keep;
                    _trial.AsSpan(0, len).CopyTo(_best);
                }
            }
            if (bestCourier < 0) continue;
            bool idle = cs.RouteLength(bestCourier) == 0;
            if (idle)
            {
                if (cs.State[bestCourier] != CourierState.OnShift || cs.FreeAt[bestCourier] > now) continue;
                double arrive = now + _travel.Minutes(cs.X[bestCourier], cs.Y[bestCourier], _s.Sites.X[site], _s.Sites.Y[site]);
                if (arrive + halfP + tick <= os.ReadyAt[o]) continue;
            }
            _commit.CommitRoute(ref sink, bestCourier, bestKeep, _best.AsSpan(bestKeep, bestLen - bestKeep), 1, now);
        }
    }

    private void BuildColumns(double now, double horizon)
    {
        var cs = _s.Couriers;
        int n = 0;
        for (int c = 0; c < cs.Count; c++)
        {
            if (cs.State[c] == CourierState.Ended || cs.ShiftEnd[c] <= now) continue;
            if (_commit.Room(c) < 2) continue;
            // Busy couriers are found through where they are heading next; idle ones through where they wait.
            double avail, x, y;
            var route = cs.Route(c);
            if (route.Length > 0) { avail = route[0].Leave; x = route[0].X; y = route[0].Y; }
            else { avail = Math.Max(now, Math.Max(cs.FreeAt[c], cs.ShiftStart[c])); x = cs.X[c]; y = cs.Y[c]; }
            if (avail > horizon) continue;
            _colCourier[n] = c; _colX[n] = x; _colY[n] = y; _colAvail[n] = avail;
            n++;
        }
        _cols = n;
    }

    /// <summary>
    /// Tries every pickup/drop-off position pair after the fixed head of courier c's route; leaves the
    /// best full route in <c>_trial</c> and returns its added cost (+inf when nothing fits).
    /// </summary>
    private double BestInsertion(int c, int o, double now, out int bestLen, out int keep)
    {
        var cs = _s.Couriers;
        var os = _s.Orders;
        var route = cs.Route(c);
        int len = route.Length;
        keep = len > 0 ? 1 : 0;
        // Keep a whole pickup group at the head fixed (a bundle being collected).
        while (keep > 0 && keep < len && route[keep].Kind == StopKind.Pickup && route[0].Kind == StopKind.Pickup && route[keep].X == route[0].X && route[keep].Y == route[0].Y) keep++;
        bestLen = 0;
        if (len + 2 > cs.MaxStops) return double.PositiveInfinity;
        double before = RouteCost(route, keep);
        double best = double.PositiveInfinity;
        int site = os.Site[o];
        for (int i = keep; i <= len; i++)
        {
            for (int j = i + 1; j <= len + 1; j++)
            {
                // Build: route[0..i) + pickup + route[i..j-1) + drop + route[j-1..len)
                var t = _trialWork;
                int w = 0;
                for (int a = 0; a < i; a++) t[w++] = route[a];
                t[w++] = new RouteStop { Order = o, Kind = StopKind.Pickup, X = _s.Sites.X[site], Y = _s.Sites.Y[site] };
                for (int a = i; a < j - 1; a++) t[w++] = route[a];
                t[w++] = new RouteStop { Order = o, Kind = StopKind.Dropoff, X = os.DropX[o], Y = os.DropY[o] };
                for (int a = j - 1; a < len; a++) t[w++] = route[a];
                var trial = t.AsSpan(0, w);
                if (!FitsCapacity(c, trial)) continue;
                double x, y, time;
                if (keep > 0) { x = trial[keep - 1].X; y = trial[keep - 1].Y; time = trial[keep - 1].Leave; }
                else { x = cs.X[c]; y = cs.Y[c]; time = Math.Max(now, Math.Max(cs.FreeAt[c], cs.ShiftStart[c])); }
                RouteTiming.Retime(ref _travel, trial, keep, x, y, time, os.ReadyAt, _s.Options.PickupServiceMinutes, _s.Options.DropoffServiceMinutes);
                if (!PickupsInShift(c, trial, keep)) continue;
                double added = RouteCost(trial, keep) - before;
                if (added < best)
                {
                    best = added;
                    bestLen = w;
                    trial.CopyTo(_trial);
                }
            }
        }
        return best;
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

    private double RouteCost(ReadOnlySpan<RouteStop> route, int from)
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
}
