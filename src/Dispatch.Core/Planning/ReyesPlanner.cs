using Dispatch.Engine;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// The published rolling-horizon policy of the MDRP paper (Reyes, Erera, Savelsbergh, Sahasrabudhe and O'Neil,
/// "The Meal Delivery Routing Problem", 2018, section 3), as a peer to measure the engine against on the same
/// traces and evaluator. Every <see cref="Frequency"/> minutes (not every tick):
/// <list type="number">
/// <item>a target bundle size Z = ceil(orders ready within <see cref="OrderHorizon"/> / couriers free within
/// <see cref="CourierHorizon"/>), at least 1 and at most the engine's <c>MaxBundleSize</c>;</item>
/// <item>per restaurant, its unassigned orders ready within the assignment horizon (<see cref="AssignmentHorizon"/>),
/// by ready time, go into ceil(n / Z) bundles by parallel insertion: each order to the bundle and drop position
/// that adds the least to the route's cost (minutes from the restaurant through the drop-offs, plus
/// <see cref="Freshness"/> times the minutes each order spends on board);</item>
/// <item>one assignment of bundles to couriers free within the horizon maximising the paper's weight, orders
/// delivered per minute of the courier's time (from when it is free to the last drop-off) less
/// <see cref="PickupDelayPenalty"/> per minute the food waits for pickup;</item>
/// <item>commitment: a pair is sent only when its courier is idle and must leave before the next optimisation to
/// be at the restaurant when the food is ready; the rest is decided again next time.</item>
/// </list>
/// The paper's parameter values are not restated here from the paper's text (not available to us when this was
/// written); the constants below are our reading of them, chosen before any run and not tuned on the shared traces.
/// Like the paper, the matching serves as many bundles as it can before it weighs them (a bundle left out costs more
/// than any pair), so no order is left unserved while a courier could take it.
/// MDRP rules (one restaurant per bundle, a courier finishes an assignment before the next, no pickup after shift
/// end) hold as in the engine's own policy. Buffers grow only with the stores; a run allocates nothing.
/// </summary>
internal sealed class ReyesPlanner<TTravel> : SiteMatchingPlanner<TTravel> where TTravel : struct, ITravelTime
{
    /// <summary>Minutes between optimisations (the paper's f).</summary>
    public const double Frequency = 5;

    /// <summary>Orders ready and couriers free within this many minutes take part (the paper's assignment horizon).</summary>
    public const double AssignmentHorizon = 20;

    /// <summary>Orders ready within this many minutes count toward the target bundle size.</summary>
    public const double OrderHorizon = 20;

    /// <summary>Couriers free within this many minutes count toward the target bundle size.</summary>
    public const double CourierHorizon = 20;

    /// <summary>Weight, in the route cost of bundling, of a minute an order spends on board.</summary>
    public const double Freshness = 1;

    /// <summary>Weight, against orders per minute, of a minute the food waits at the restaurant.</summary>
    public const double PickupDelayPenalty = 0.01;

    /// <summary>Price of leaving a bundle for the next optimisation: above any pair, so the assignment serves as many as it can.</summary>
    private const double Unserved = 1_000_000;



    private int[] _orders = [];               // the orders taking part, grouped by site, by ready time within a site

    private int[] _bOrders = [];              // bundles: their orders in drop sequence
    private int[] _bCount = [];
    private int _bundles;
    private int[] _candCol = [];
    private double[] _candArrival = [];

    public ReyesPlanner(EngineState state, TTravel travel, RouteCommitter<TTravel> commit) : base(state, travel, commit)
    {
        EnsureCapacity();
    }

    public override void EnsureCapacity()
    {
        base.EnsureCapacity();
        int no = _s.Orders.Id.Length;
        if (_orders.Length < no)
        {
            _orders = new int[no];
            _bOrders = new int[no * _maxBundle]; _bCount = new int[no];
            _candCol = new int[_k]; _candArrival = new double[_k];
        }
    }

    /// <summary>Optimises at the first tick of each <see cref="Frequency"/>-minute period (0, 5, 10, ... minutes).</summary>
    public void PlanOrders<TSink>(double now, double previousTick, ref TSink sink) where TSink : IAssignmentSink
    {
        if (!double.IsNegativeInfinity(previousTick) && Math.Floor(now / Frequency) == Math.Floor(previousTick / Frequency)) return;
        int n = CollectOrders(now, out int readySoon);
        if (n == 0) return;
        // Couriers free within the assignment horizon with room take part; those free within the courier horizon count
        // toward the target bundle size.
        int freeSoon = _cands.Collect(_s.Couriers, now, now + AssignmentHorizon, countBy: now + CourierHorizon);
        if (_cands.Count == 0) return;
        int target = freeSoon == 0 ? 1 : (readySoon + freeSoon - 1) / freeSoon;
        target = Math.Clamp(target, 1, _maxBundle);
        MakeBundles(n, target);
        _grid.Build(_cands.X, _cands.Y, _cands.Avail, _cands.Count);
        Assign(now);
        Commit(now, ref sink);
    }

    /// <summary>Open orders placed by now and ready within the assignment horizon, grouped by site and sorted by ready time
    /// (ties by placement); <paramref name="readySoon"/> counts those ready within <see cref="OrderHorizon"/>.</summary>
    private int CollectOrders(double now, out int readySoon)
    {
        var os = _s.Orders;
        var open = _s.OpenOrders.Items;
        int n = 0;
        readySoon = 0;
        for (int i = 0; i < open.Length; i++)
        {
            int o = open[i];
            if (os.PlacedAt[o] > now) continue;
            if (os.ReadyAt[o] <= now + OrderHorizon) readySoon++;
            if (os.ReadyAt[o] <= now + AssignmentHorizon) _orders[n++] = o;
        }
        // Insertion sort by (site, ready, placement): the lists are short and mostly in order already.
        for (int i = 1; i < n; i++)
        {
            int o = _orders[i], p = i;
            while (p > 0 && Before(o, _orders[p - 1])) { _orders[p] = _orders[p - 1]; p--; }
            _orders[p] = o;
        }
        return n;
    }

    private bool Before(int a, int b)
    {
        var os = _s.Orders;
        if (os.Site[a] != os.Site[b]) return os.Site[a] < os.Site[b];
        if (os.ReadyAt[a] != os.ReadyAt[b]) return os.ReadyAt[a] < os.ReadyAt[b];
        return os.Seq[a] < os.Seq[b];
    }

    /// <summary>Per site, ceil(n / target) bundles filled by parallel insertion in ready-time order.</summary>
    private void MakeBundles(int n, int target)
    {
        var os = _s.Orders;
        _bundles = 0;
        for (int start = 0; start < n;)
        {
            int site = os.Site[_orders[start]];
            int end = start;
            while (end < n && os.Site[_orders[end]] == site) end++;
            int count = (end - start + target - 1) / target;
            int first = _bundles;
            for (int b = first; b < first + count; b++) _bCount[b] = 0;
            _bundles += count;
            for (int i = start; i < end; i++)
            {
                int o = _orders[i];
                int bestB = -1, bestPos = 0;
                double bestAdd = double.PositiveInfinity;
                for (int b = first; b < first + count; b++)
                {
                    int m = _bCount[b];
                    if (m >= target) continue;
                    var seq = _bOrders.AsSpan(b * _maxBundle, m);
                    double before = m == 0 ? 0 : RouteCost(seq);
                    for (int pos = 0; pos <= m; pos++)
                    {
                        int len = DropSequence.Insert(seq, o, pos, _seq);
                        double add = RouteCost(_seq.AsSpan(0, len)) - before;
                        if (add < bestAdd) { bestAdd = add; bestB = b; bestPos = pos; }
                    }
                }
                var host = _bOrders.AsSpan(bestB * _maxBundle, _bCount[bestB]);
                int hl = DropSequence.Insert(host, o, bestPos, _seq);
                _seq.AsSpan(0, hl).CopyTo(_bOrders.AsSpan(bestB * _maxBundle, hl));
                _bCount[bestB] = hl;
            }
            start = end;
        }
    }

    /// <summary>Minutes from leaving the restaurant to the last drop-off's end, plus <see cref="Freshness"/> times each order's minutes on board.</summary>
    private double RouteCost(ReadOnlySpan<int> seq)
    {
        var os = _s.Orders;
        int site = os.Site[seq[0]];
        double px = _s.Sites.X[site], py = _s.Sites.Y[site], t = 0, onBoard = 0;
        for (int i = 0; i < seq.Length; i++)
        {
            int o = seq[i];
            t += _travel.Minutes(px, py, os.DropX[o], os.DropY[o]) + _halfD;
            onBoard += t;
            t += _halfD;
            px = os.DropX[o]; py = os.DropY[o];
        }
        return t + Freshness * onBoard;
    }

    /// <summary>The paper's weight of courier column <paramref name="col"/> taking <paramref name="seq"/>, or -inf when
    /// it cannot pick up before its shift ends: orders per minute of its time, less the penalty of the food's wait.</summary>
    private double Weight(int col, ReadOnlySpan<int> seq, double arrive)
    {
        if (!_cands.HasRoomFor(col, seq.Length)) return double.NegativeInfinity;
        var os = _s.Orders;
        double ready = LatestReady(seq);
        double pickup = Math.Max(ready, arrive + _halfP);
        if (pickup > _s.Couriers.ShiftEnd[_cands.Courier[col]]) return double.NegativeInfinity;
        int site = os.Site[seq[0]];
        double t = pickup + _halfP, px = _s.Sites.X[site], py = _s.Sites.Y[site];
        for (int i = 0; i < seq.Length; i++)
        {
            int o = seq[i];
            t += _travel.Minutes(px, py, os.DropX[o], os.DropY[o]) + _halfD;
            px = os.DropX[o]; py = os.DropY[o];
            if (i < seq.Length - 1) t += _halfD;
        }
        double busy = Math.Max(1, t - _cands.Avail[col]); // at least a minute: the weight stays at most the bundle's size
        return seq.Length / busy - PickupDelayPenalty * (pickup - ready);
    }

    private void Assign(double now)
    {
        var sites = _s.Sites;
        var os = _s.Orders;
        _solver.Begin(_bundles, _cands.Count, _bundles * _k);
        for (int b = 0; b < _bundles; b++)
        {
            var seq = _bOrders.AsSpan(b * _maxBundle, _bCount[b]);
            int site = os.Site[seq[0]];
            int found = _grid.Nearest(ref _travel, sites.X[site], sites.Y[site], now, _k, _candCol, _candArrival);
            for (int j = 0; j < found; j++)
            {
                int col = _candCol[j];
                double w = Weight(col, seq, _candArrival[j]);
                if (double.IsFinite(w)) _solver.AddEdge(col, _maxBundle - w); // non-negative, as the solver needs: w <= bundle size
            }
            _solver.EndRow(_maxBundle + 1 + Unserved * seq.Length);
        }
        _solver.Solve();
    }

    /// <summary>Sends each assigned bundle whose courier is idle and must leave before the next optimisation.</summary>
    private void Commit<TSink>(double now, ref TSink sink) where TSink : IAssignmentSink
    {
        var match = _solver.RowMatch;
        for (int b = 0; b < _bundles; b++)
        {
            int col = match[b];
            if (col < _cands.Count) CommitIfDue(ref sink, _cands.Courier[col], _bOrders.AsSpan(b * _maxBundle, _bCount[b]), now, Frequency);
        }
    }
}
