using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// The general profile's online improvement: after the tick's insertions, up to
/// <see cref="DispatchOptions.GeneralImprovementMovesPerTick"/> moves on the not-yet-started part of
/// committed routes. Couriers are visited round-robin from where the previous tick stopped
/// (<see cref="Cursor"/>). For each courier: (a) pair relocate: every order on its route not yet picked
/// up, whose pickup is beyond the fixed head, is taken out and put back at its cheapest place in its own
/// route or in the route of one of the <see cref="NearbyCouriers"/> couriers arriving earliest at its
/// site; (b) the drop-offs of its picked-up orders (and of those picked up with the head) are
/// re-sequenced by <see cref="RouteResequencer{TTravel}"/>. Each is one move of the budget.
/// </summary>
/// <remarks>
/// A move is applied only when it lowers the objective over the routes it touches by more than
/// <see cref="MinGain"/>: courier time plus the click-to-door penalties as the insertion prices them
/// (<see cref="RouteInsertion{TTravel}.Cost"/>: each minute of click-to-door, plus the over-target and
/// over-maximum weights), a courier minute (until the route's end) counting as much as a customer's
/// minute (<see cref="CourierMinuteWeight"/>). Capacity, shift ends and time windows hold
/// as for any insertion; the stop a courier is heading to never moves and picked-up orders never change
/// courier. An applied move is committed and reported like any route update (an assignment with
/// <see cref="AssignmentInfo.IsUpdate"/>), plus <see cref="PlanChangeKind.Resequenced"/> or, for an order
/// moved to another courier, <see cref="PlanChangeKind.Reassigned"/>, with reason
/// <see cref="PlanChangeReason.Improvement"/>. Scratch buffers are owned here; nothing is allocated.
/// </remarks>
internal sealed class RouteImprover<TTravel> where TTravel : struct, ITravelTime
{
    /// <summary>Couriers (earliest arrival at the order's site first) whose routes a pair relocate tries besides its own.</summary>
    public const int NearbyCouriers = 8;

    /// <summary>Smallest improvement applied, in objective units (minutes).</summary>
    public const double MinGain = 0.01;

    /// <summary>Weight of a courier minute in the moves' objective, against a click-to-door minute (see the remarks).</summary>
    public const double CourierMinuteWeight = 1.0;

    private readonly EngineState _s;
    private TTravel _travel;
    private readonly RouteCommitter<TTravel> _commit;
    private readonly RouteInsertion<TTravel> _insert;
    private readonly RouteResequencer<TTravel> _reseq;
    private readonly InsertionPlanner<TTravel> _planner;
    private readonly int[] _near = new int[NearbyCouriers];
    private readonly int[] _movable;
    private readonly RouteStop[] _before, _without, _own, _other, _bestOther;

    public RouteImprover(EngineState state, TTravel travel, RouteCommitter<TTravel> commit, RouteInsertion<TTravel> insert,
        RouteResequencer<TTravel> resequencer, InsertionPlanner<TTravel> planner)
    {
        _s = state;
        _travel = travel;
        _commit = commit;
        _insert = insert;
        _reseq = resequencer;
        _planner = planner;
        int n = state.Options.MaxRouteStops + 2;
        _movable = new int[n];
        _before = new RouteStop[n]; _without = new RouteStop[n];
        _own = new RouteStop[n]; _other = new RouteStop[n]; _bestOther = new RouteStop[n];
    }

    /// <summary>The courier the next tick's moves start from. Part of the engine's state (snapshots keep it).</summary>
    public int Cursor { get; set; }

    /// <summary>Moves tried and applied since the engine was built (diagnostics for tests and benchmarks; not in snapshots).</summary>
    public long Tried { get; private set; }

    /// <summary>Moves applied since the engine was built.</summary>
    public long Applied { get; private set; }

    /// <summary>Runs up to <paramref name="budget"/> moves (the tick passes <see cref="DispatchOptions.GeneralImprovementMovesPerTick"/>).</summary>
    public void Run<TSink>(double now, int budget, ref TSink sink) where TSink : IAssignmentSink
    {
        var cs = _s.Couriers;
        int n = cs.Count;
        if (budget <= 0 || n == 0) return;
        if (Cursor >= n || Cursor < 0) Cursor = 0;
        bool prepared = false;
        for (int visited = 0; visited < n && budget > 0; visited++)
        {
            int c = Cursor;
            Cursor = c + 1 == n ? 0 : c + 1;
            if (cs.RouteLength(c) < 2) continue;
            if (!prepared) { _planner.PrepareCandidates(now); prepared = true; }
            budget = ImproveCourier(c, now, budget, ref sink);
        }
    }

    /// <summary>
    /// The objective the moves lower, over every courier at <paramref name="now"/>: the click-to-door penalties
    /// of its route's movable part plus <see cref="CourierMinuteWeight"/> times when it is free (its route's end,
    /// or for an idle courier the time it can start). A move changes only the terms of the couriers it touches.
    /// </summary>
    public double Objective(double now)
    {
        var cs = _s.Couriers;
        double sum = 0;
        for (int c = 0; c < cs.Count; c++)
        {
            var route = cs.Route(c);
            sum += _insert.Cost(route, RouteInsertion<TTravel>.FixedHead(route)) + CourierMinuteWeight * End(c, now);
        }
        return sum;
    }

    /// <summary>When courier c is free: its route's end, or (idle) when it can start.</summary>
    private double End(int c, double now)
    {
        var cs = _s.Couriers;
        var route = cs.Route(c);
        return route.Length > 0 ? route[route.Length - 1].Leave : Math.Max(now, Math.Max(cs.FreeAt[c], cs.ShiftStart[c]));
    }

    private int ImproveCourier<TSink>(int c, double now, int budget, ref TSink sink) where TSink : IAssignmentSink
    {
        var cs = _s.Couriers;
        var os = _s.Orders;
        var route = cs.Route(c);
        int keep = RouteInsertion<TTravel>.FixedHead(route);
        int m = 0;
        for (int k = keep; k < route.Length; k++)
            if (route[k].Kind == StopKind.Pickup && os.Status[route[k].Order] == OrderStatus.Assigned) _movable[m++] = route[k].Order;
        for (int q = 0; q < m && budget > 0; q++)
        {
            int o = _movable[q];
            if (os.Courier[o] != c || os.Status[o] != OrderStatus.Assigned) continue;
            budget--;
            Tried++;
            if (Relocate(c, o, now, ref sink)) Applied++;
        }
        if (budget > 0 && HasLoneDropoffs(c))
        {
            budget--;
            Tried++;
            if (_reseq.Search(c, dropoffsOnly: true, out int k, CourierMinuteWeight))
            {
                _commit.CommitRoute(ref sink, c, k, _reseq.Result[k..], 0, now);
                var change = new PlanChange(PlanChangeKind.Resequenced, -1, cs.Id[c], now, PlanChangeReason.Improvement);
                sink.OnPlanChange(in change);
                Applied++;
            }
        }
        return budget;
    }

    /// <summary>True when courier c's movable part holds at least two stops, one of them a drop-off whose pickup is not movable.</summary>
    private bool HasLoneDropoffs(int c)
    {
        var route = _s.Couriers.Route(c);
        int keep = RouteInsertion<TTravel>.FixedHead(route);
        if (route.Length - keep < 2) return false;
        for (int k = keep; k < route.Length; k++)
        {
            if (route[k].Kind != StopKind.Dropoff) continue;
            bool paired = false;
            for (int a = keep; a < k && !paired; a++) paired = route[a].Order == route[k].Order;
            if (!paired) return true;
        }
        return false;
    }

    /// <summary>Pair relocate of order <paramref name="o"/>, on courier <paramref name="c"/>'s route; true when applied.</summary>
    private bool Relocate<TSink>(int c, int o, double now, ref TSink sink) where TSink : IAssignmentSink
    {
        var cs = _s.Couriers;
        var os = _s.Orders;
        var times = _s.Times;
        var route = cs.Route(c);
        int len = route.Length;
        int keep = RouteInsertion<TTravel>.FixedHead(route);
        int p = -1;
        for (int k = keep; k < len; k++)
            if (route[k].Order == o && route[k].Kind == StopKind.Pickup) { p = k; break; }
        if (p < 0) return false;

        route.CopyTo(_before);
        var before = _before.AsSpan(0, len);
        int w = 0;
        for (int a = 0; a < len; a++)
            if (a < keep || before[a].Order != o) _without[w++] = before[a];
        var without = _without.AsSpan(0, w);
        ref RouteStop last = ref before[keep - 1];
        RouteTiming.Retime(ref _travel, without, keep, last.X, last.Y, last.Leave, times);
        if (!_insert.RemovalKeepsWindows(c, before, without, keep)) return false;
        const double W = CourierMinuteWeight;
        double scoreBefore = _insert.Cost(before, keep) + W * before[len - 1].Leave;
        double scoreWithout = _insert.Cost(without, keep) + W * without[w - 1].Leave;

        // Its own route first: the place it has now is one of the candidates (no gain).
        double bestDelta = double.PositiveInfinity;
        int target = -1, targetLen = 0, targetKeep = 0;
        double own = _insert.Best(c, without, keep, o, withPickup: true, 0, 0, 0, _own, out int ownLen, reference: before, courierWeight: W);
        if (!double.IsPositiveInfinity(own))
        {
            bestDelta = own - scoreBefore;
            target = c; targetLen = ownLen; targetKeep = keep;
        }

        int site = os.Site[o];
        double sx = _s.Sites.X[site], sy = _s.Sites.Y[site];
        double tick = _s.Options.TickIntervalMinutes;
        int found = _planner.NearestCandidates(now, site, _near);
        for (int j = 0; j < found; j++)
        {
            int b = _near[j];
            if (b == c || cs.State[b] == CourierState.Ended || cs.ShiftEnd[b] <= now || _commit.Room(b) < 2) continue;
            var rb = cs.Route(b);
            double start = 0;
            if (rb.Length == 0)
            {
                // An idle courier takes it only when it would be sent now anyway (the planner postpones otherwise).
                if (cs.State[b] != CourierState.OnShift || cs.FreeAt[b] > now) continue;
                if (!CommitTiming.MustLeaveNow(ref _travel, cs.X[b], cs.Y[b], sx, sy, times.HalfPickup(o), os.ReadyAt[o], now, tick)) continue;
                start = Math.Max(now, Math.Max(cs.FreeAt[b], cs.ShiftStart[b]));
            }
            int keepB = RouteInsertion<TTravel>.FixedHead(rb);
            double scoreB = _insert.Best(b, rb, keepB, o, withPickup: true, cs.X[b], cs.Y[b], start, _other, out int lenB, courierWeight: W);
            if (double.IsPositiveInfinity(scoreB)) continue;
            double delta = (scoreWithout - scoreBefore) + (scoreB - (_insert.Cost(rb, keepB) + W * End(b, now)));
            if (delta < bestDelta)
            {
                bestDelta = delta;
                target = b; targetLen = lenB; targetKeep = keepB;
                _other.AsSpan(0, lenB).CopyTo(_bestOther);
            }
        }

        if (target < 0 || !(bestDelta < -MinGain)) return false;
        if (target == c)
        {
            _commit.CommitRoute(ref sink, c, keep, _own.AsSpan(keep, targetLen - keep), 0, now);
            var change = new PlanChange(PlanChangeKind.Resequenced, -1, cs.Id[c], now, PlanChangeReason.Improvement);
            sink.OnPlanChange(in change);
            return true;
        }
        _commit.CommitRoute(ref sink, c, keep, without[keep..], 0, now);
        _commit.CommitRoute(ref sink, target, targetKeep, _bestOther.AsSpan(targetKeep, targetLen - targetKeep), 1, now);
        var moved = new PlanChange(PlanChangeKind.Reassigned, os.Id[o], cs.Id[target], now, PlanChangeReason.Improvement, cs.Id[c], os.PlannedDrop[o]);
        sink.OnPlanChange(in moved);
        return true;
    }
}
