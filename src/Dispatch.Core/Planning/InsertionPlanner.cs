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
/// re-sequenced later because only the head stop is fixed). Time windows are hard (see
/// <see cref="RouteInsertion{TTravel}"/>): an order that fits no candidate courier stays open. Above
/// <c>LargeProblemOpenOrders</c> open orders each order is tried on <c>LargeProblemCandidateCouriers</c>
/// couriers instead of <c>CandidateCouriersPerSite</c>. The improvement moves that follow in the tick
/// (<see cref="RouteImprover{TTravel}"/>, owned here with the re-plans' <see cref="RouteResequencer{TTravel}"/>)
/// find their candidate couriers here too.
/// </summary>
internal sealed class InsertionPlanner<TTravel> : Planner<TTravel> where TTravel : struct, ITravelTime
{
    private readonly CourierGrid _grid = new();
    private readonly int _k;
    private int[] _orders = [];
    private int _cols;
    private int[] _colCourier = [];
    private double[] _colX = [], _colY = [], _colAvail = [];
    private readonly int[] _cand;
    private readonly double[] _candArrival;
    private readonly RouteStop[] _trial, _best;
    private readonly RouteInsertion<TTravel> _insert;
    private readonly RouteResequencer<TTravel> _resequencer;
    private readonly RouteImprover<TTravel> _improver;

    public InsertionPlanner(EngineState state, TTravel travel, RouteCommitter<TTravel> commit) : base(state, travel, commit)
    {
        _k = state.Options.CandidateCouriersPerSite;
        _cand = new int[_k];
        _candArrival = new double[_k];
        _trial = new RouteStop[state.Options.MaxRouteStops + 2];
        _best = new RouteStop[state.Options.MaxRouteStops + 2];
        _insert = new RouteInsertion<TTravel>(state, travel);
        // The improvement moves and re-plans get their own insertion scratch, as when the engine built them.
        var insert = new RouteInsertion<TTravel>(state, travel);
        _resequencer = new RouteResequencer<TTravel>(state, travel, insert);
        _improver = new RouteImprover<TTravel>(state, travel, commit, insert, _resequencer, this);
        EnsureCapacity();
    }

    public override RouteImprover<TTravel> Improver => _improver;

    public override bool Resequence(int c) => _resequencer.Improve(c);

    public override void EnsureCapacity()
    {
        if (_orders.Length < _s.Orders.Id.Length) _orders = new int[_s.Orders.Id.Length];
        int nc = _s.Couriers.Id.Length;
        if (_colCourier.Length < nc)
        {
            _colCourier = new int[nc]; _colX = new double[nc]; _colY = new double[nc]; _colAvail = new double[nc];
        }
        _grid.EnsureCapacity(nc);
    }

    /// <summary>Inserts the open orders, then runs the tick's improvement moves.</summary>
    public void PlanOrders<TSink>(double now, ref TSink sink) where TSink : IAssignmentSink
    {
        Insert(now, ref sink);
        _improver.Run(now, _s.Options.GeneralImprovementMovesPerTick, ref sink);
    }

    private void Insert<TSink>(double now, ref TSink sink) where TSink : IAssignmentSink
    {
        var os = _s.Orders;
        var open = _s.OpenOrders.Items;
        int n = 0;
        for (int i = 0; i < open.Length; i++)
            if (os.PlacedAt[open[i]] <= now) _orders[n++] = open[i];
        if (n == 0) return;
        var span = _orders.AsSpan(0, n);
        UrgencyOrder.Sort(span, os.ReadyAt, os.Seq, os.Remakes);

        var cs = _s.Couriers;
        // Above LargeProblemOpenOrders open orders, fewer candidates per order keep the tick short.
        int k = n > _s.Options.LargeProblemOpenOrders ? Math.Min(_k, _s.Options.LargeProblemCandidateCouriers) : _k;
        double horizon = now + _s.Options.CourierLookaheadMinutes;
        double tick = _s.Options.TickIntervalMinutes;
        var times = _s.Times;
        bool stale = true;
        for (int i = 0; i < n; i++)
        {
            int o = span[i];
            // Candidate couriers are rebuilt after each commit, because a commit moves a route's end
            // (an order left open changes nothing, so the columns stay as they are).
            if (stale)
            {
                BuildColumns(now, horizon);
                if (_cols == 0) return;
                _grid.Build(_colX, _colY, _colAvail, _cols);
                stale = false;
            }
            int site = os.Site[o];
            int found = _grid.Nearest(ref _travel, _s.Sites.X[site], _s.Sites.Y[site], now, k, _cand, _candArrival);
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
                if (!CommitTiming.MustLeaveNow(ref _travel, cs.X[bestCourier], cs.Y[bestCourier], _s.Sites.X[site], _s.Sites.Y[site], times.HalfPickup(o), os.ReadyAt[o], now, tick))
                    continue;
            }
            _commit.CommitRoute(ref sink, bestCourier, bestKeep, _best.AsSpan(bestKeep, bestLen - bestKeep), 1, now);
            stale = true;
        }
    }

    /// <summary>Builds the candidate couriers (columns and grid) once, for the improvement moves of this tick.</summary>
    public void PrepareCandidates(double now)
    {
        BuildColumns(now, now + _s.Options.CourierLookaheadMinutes);
        if (_cols > 0) _grid.Build(_colX, _colY, _colAvail, _cols);
    }

    /// <summary>
    /// The couriers nearest (by arrival) to site <paramref name="site"/> among those of the last
    /// <see cref="PrepareCandidates"/>, at most <paramref name="couriers"/>' length of them, written into it; returns how many.
    /// </summary>
    public int NearestCandidates(double now, int site, Span<int> couriers)
    {
        if (_cols == 0) return 0;
        int k = Math.Min(Math.Min(_k, couriers.Length), _cols);
        int found = _grid.Nearest(ref _travel, _s.Sites.X[site], _s.Sites.Y[site], now, k, _cand, _candArrival);
        for (int j = 0; j < found; j++) couriers[j] = _colCourier[_cand[j]];
        return found;
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
    /// Best insertion of order o into courier c's route after its fixed head: leaves the full route in
    /// <c>_trial</c> and returns the cost it adds (+inf when nothing fits).
    /// </summary>
    private double BestInsertion(int c, int o, double now, out int bestLen, out int keep)
    {
        var cs = _s.Couriers;
        var route = cs.Route(c);
        keep = RouteInsertion<TTravel>.FixedHead(route);
        double before = _insert.Cost(route, keep);
        double start = Math.Max(now, Math.Max(cs.FreeAt[c], cs.ShiftStart[c]));
        double cost = _insert.Best(c, route, keep, o, withPickup: true, cs.X[c], cs.Y[c], start, _trial, out bestLen);
        return cost - before;
    }
}
