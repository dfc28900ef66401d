using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Planning;

/// <summary>
/// The MDRP-profile optimizer, run at every tick over everything placed and not yet committed:
/// <list type="number">
/// <item>candidate couriers: on shift (or starting soon) and free within the look-ahead, at the point and time their committed plan ends;</item>
/// <item>per site with open orders, the k couriers that can get there earliest (grid search);</item>
/// <item>a min-cost matching of single orders to couriers (cost = click-to-door with penalties past target, maximum and the order's promise, plus a little travel), with "postpone" as an option;</item>
/// <item>bundling: an order that would be postponed or served late joins another order's bundle at the same site where that lowers the total cost, freeing its courier
/// (valued by what that courier would save the open order it helps most: <see cref="RescueValues"/>);</item>
/// <item>a second matching of the bundles to couriers, where of two couriers equally cheap for a bundle the one fewer open
/// orders list as a candidate is taken (<see cref="ContentionTieBreak"/>);</item>
/// <item>commit only the pairs whose courier is idle now and must leave now to make the pickup; the rest stay provisional and are re-decided at the next tick.</item>
/// </list>
/// Every buffer is owned here and grown only when the problem outgrows it.
/// </summary>
internal sealed class RollingHorizonPlanner<TTravel> : SiteMatchingPlanner<TTravel> where TTravel : struct, ITravelTime
{
    /// <summary>Cost of postponing one order: larger than any real assignment cost, so the matching serves as many orders as it can.</summary>
    private const double PostponeCost = 1_000_000;

    /// <summary>Minutes of delay past an order's lower bound after which it is offered to other bundles.</summary>
    private const double BundleDelayTrigger = 3;

    /// <summary>
    /// Added to the second matching's cost of a courier, per open order whose site lists that courier as a candidate
    /// (<see cref="_colDemand"/>): of two couriers equally cheap for a bundle, the matching takes the one fewer other
    /// orders could use, and leaves the contested one to them. Costs are in minutes and, under whole-minute travel, tie
    /// often; the term is a thousandth of a minute per order (0.02 for a courier twenty orders list), below the real
    /// differences of a tenth of a minute and more, so it decides ties and near-ties only. Measured on the 168 shared
    /// traces and 30 generated waves, seven paired draws each (bench/results/quality-courier-short.md): mean click-to-door
    /// -0.04 and -0.12 min, lower in 7 of 7 draws on both; the opposite rule (the more contested courier) is worse on both.
    /// </summary>
    private const double ContentionTieBreak = 0.001;

    /// <summary>Candidates per site this tick (<see cref="DispatchOptions.CandidateCouriersPerSite"/>, or
    /// <see cref="DispatchOptions.LargeProblemCandidateCouriers"/> above <see cref="DispatchOptions.LargeProblemOpenOrders"/>
    /// open orders), and the stride of every per-site and per-row candidate array this tick.</summary>
    private int _kEff;
    private readonly double _postponeDelay, _starvationAge, _pressureTravelWeight, _freedCourierWeight, _promiseWeight, _promiseBreakCost;
    private readonly bool _freedCourierRescue;

    // Sites with open orders ("slots"), their orders and their candidate couriers.
    private int _stamp;
    private int[] _siteStamp = [], _siteSlot = [];
    private int _slots;
    private int _openRows; // open orders grouped this tick: one row (and one bundle slot) each
    private int[] _slotSite = [], _slotStart = [], _slotCount = [];
    private long[] _slotKey = []; // per slot: the site's grid cell (high half) and id (low half), sorted into the slot order
    private int[] _slotOrders = [];
    private int[] _candCol = [];
    private double[] _candArrival = [];
    private int[] _candCount = [];
    // Per candidate column: the open orders whose site lists it, each order counting 1 / (its site's list length), so
    // the values sum to the open orders. Found after the first matching's fill (which finds the lists), read by the second.
    private double[] _colDemand = [];

    // Bundles (at most one per open order), their orders in drop sequence, courier column and cost.
    private int[] _bOrders = [];
    private int[] _bCount = [], _bCol = [], _bSlot = [];
    private double[] _bCost = [];
    private int[] _orderBundle = [];
    private double[] _orderPost = [];
    private int[] _rowBundle = [];
    // Each open order's cost alone with each of its site's candidates (slot t's candidate j at row * _kEff + j; +inf when
    // infeasible), as the first matching's fill computed it: the rescue values, the first matching's matched costs and
    // the second matching's single-order rows read it instead of recomputing the same BundleCost.
    private double[] _singleCost = [];
    // The matchings number their courier columns in the grid's cell order, not the candidates' store order: a search
    // visits couriers near each other, whose records then share cache lines (at 50,000 rows the columns outgrow the
    // cache). The solver's choices do not depend on how columns are numbered (ties are decided by the heap, whose
    // pushes follow each row's candidate order), so the matching is the same, renumbered.
    private int[] _columnOf = [], _candOfColumn = [];

    // Per candidate column: what the courier would save another open order if a bundle freed it.
    private double[] _colRescue = [];
    private double[] _colRescueUpper = []; // the second half of the rows' values, merged into _colRescue
    // The two matchings' row fills, created once: FillAndSolve may run them on the fill lane.
    private readonly Action _fillSingles, _fillBundles;
    // The two halves of bundling (sites are independent again), the second with its own drop sequence buffer.
    private readonly Action _bundleLower, _bundleUpper;
    // The two halves of the rescue values (rows are independent; each half keeps its own maximum per column).
    private readonly Action _rescueLower, _rescueUpper;
    private readonly int[] _seqUpper;

    public RollingHorizonPlanner(EngineState state, TTravel travel, RouteCommitter<TTravel> commit) : base(state, travel, commit)
    {
        _postponeDelay = state.Options.PostponeDelayMinutes;
        _starvationAge = state.Options.StarvationAgeMinutes;
        _pressureTravelWeight = state.Options.PressureTravelWeight;
        _freedCourierWeight = state.Options.FreedCourierWeight;
        _promiseWeight = state.Options.PromiseLatenessWeight;
        _promiseBreakCost = state.Options.PromiseBreakCost;
        _freedCourierRescue = state.Options.FreedCourierRescue;
        _fillSingles = FillSingles;
        _fillBundles = FillBundles;
        _seqUpper = new int[_maxBundle + 1];
        _rescueLower = () => RescueValuesOf(0, _openRows / 2, _colRescue);
        _rescueUpper = () => RescueValuesOf(_openRows / 2, _openRows, _colRescueUpper);
        _bundleLower = () => Bundle(0, _slots / 2, _seq);
        _bundleUpper = () => Bundle(_slots / 2, _slots, _seqUpper);
        EnsureCapacity();
    }

    /// <summary>Candidate entries (and matching edges) <paramref name="rows"/> open orders can need in one tick: the full
    /// list for ticks up to <see cref="DispatchOptions.LargeProblemOpenOrders"/> rows, the short list above. Sizing by
    /// orders x <see cref="DispatchOptions.CandidateCouriersPerSite"/> would hold the full list for every order of a
    /// large city, which never uses it.</summary>
    protected override int EdgesFor(int rows)
    {
        int small = Math.Min(rows, _s.Options.LargeProblemOpenOrders);
        return Math.Max(small * CandidatesPerSite(small), rows * CandidatesPerSite(rows));
    }

    /// <summary>Candidates per site in a tick of <paramref name="rows"/> open orders. Very large problems get shorter
    /// lists: the matching's cost grows with rows x candidates.</summary>
    private int CandidatesPerSite(int rows) =>
        rows > _s.Options.LargeProblemOpenOrders ? Math.Min(_k, _s.Options.LargeProblemCandidateCouriers) : _k;

    public override void EnsureCapacity()
    {
        base.EnsureCapacity();
        int no = _s.Orders.Id.Length, ns = _s.Sites.Id.Length, nc = _s.Couriers.Id.Length;
        if (_colRescue.Length < nc) { _colRescue = new double[nc]; _colRescueUpper = new double[nc]; _columnOf = new int[nc]; _candOfColumn = new int[nc]; _colDemand = new double[nc]; }
        if (_siteStamp.Length < ns)
        {
            Array.Resize(ref _siteStamp, ns); _siteSlot = new int[ns];
        }
        // Slots, bundles and rows are bounded by open orders, which are bounded by all orders.
        if (_slotOrders.Length < no)
        {
            _slotSite = new int[no]; _slotStart = new int[no]; _slotCount = new int[no]; _slotKey = new long[no];
            _slotOrders = new int[no];
            int entries = EdgesFor(no);
            _candCol = new int[entries]; _candArrival = new double[entries]; _candCount = new int[no];
            _bOrders = new int[no * _maxBundle];
            _bCount = new int[no]; _bCol = new int[no]; _bSlot = new int[no]; _bCost = new double[no];
            _orderBundle = new int[no];
            _orderPost = new double[no];
            _rowBundle = new int[no];
            _singleCost = new double[entries];
        }
    }

    private double _now;
    private double _travelWeight;
    private double _freedCourierValue;

    public void PlanOrders<TSink>(double now, ref TSink sink) where TSink : IAssignmentSink
    {
        _now = now;
        _travelWeight = _s.Options.TravelWeight;
        _s.Provisional.Begin(); // last tick's matching no longer holds, even if this tick plans nothing
        var open = _s.OpenOrders.Items;
        if (open.Length == 0) return;
        _cands.Collect(_s.Couriers, now, now + _s.Options.CourierLookaheadMinutes, countBy: double.NegativeInfinity);
        if (_cands.Count == 0) return;
        _grid.Build(_cands.X, _cands.Y, _cands.Avail, _cands.Count);
        var cellOrder = _grid.InCellOrder;
        for (int c = 0; c < cellOrder.Length; c++) { _candOfColumn[c] = cellOrder[c]; _columnOf[cellOrder[c]] = c; }
        GroupBySite(now, open);
        if (_slots == 0) return;
        int openRows = _openRows;
        _kEff = CandidatesPerSite(openRows);
        // The candidate search runs inside the first matching's fill, a site just before its rows: on the fill lane,
        // the ticking thread solves from the first row on instead of searching its half of the sites first.
        double pressure = (double)openRows / _cands.Count;
        if (pressure > 1) _travelWeight += _pressureTravelWeight * (pressure - 1);
        _freedCourierValue = pressure > 1 ? _freedCourierWeight * (pressure - 1) : 0;
        MatchSingles();
        CountDemand();
        if (_freedCourierRescue) RescueValues();
        RunSplit(_bundleLower, _bundleUpper, _slots);
        MatchBundles();
        Commit(now, ref sink);
    }

    /// <summary><see cref="_colDemand"/> from the candidate lists the first matching's fill found, in slot order (one thread:
    /// the sums, and so the second matching, are the same on every run).</summary>
    private void CountDemand()
    {
        Array.Clear(_colDemand, 0, _cands.Count);
        for (int t = 0; t < _slots; t++)
        {
            int cb = t * _kEff, cn = _candCount[t];
            if (cn == 0) continue;
            double share = (double)_slotCount[t] / cn;
            for (int j = 0; j < cn; j++) _colDemand[_candCol[cb + j]] += share;
        }
    }

    private void GroupBySite(double now, ReadOnlySpan<int> open)
    {
        var os = _s.Orders;
        if (++_stamp == int.MaxValue) { Array.Clear(_siteStamp); _stamp = 1; }
        var sites = _s.Sites;
        var keys = _slotKey;
        int slots = 0;
        for (int i = 0; i < open.Length; i++)
        {
            int o = open[i];
            if (os.PlacedAt[o] > now) continue;
            int site = os.Site[o];
            if (_siteStamp[site] != _stamp)
            {
                _siteStamp[site] = _stamp;
                _siteSlot[site] = 0; // the site's open orders, until the slots are numbered below
                keys[slots++] = ((long)_grid.CellOf(sites.X[site], sites.Y[site]) << 32) | (uint)site;
            }
            _siteSlot[site]++;
        }
        // Sites (and so the matchings' rows) in the candidate grid's cell order, the order of the columns: a row's search
        // then meets the rows and columns of its neighbourhood, which the rows just before it have touched. In order of
        // first appearance among the open orders (as before), city-10000's tick took 17.5-19.8 ms and city-50000's 167 ms;
        // in cell order 12.6-13.4 and 75 ms (bench/results/tick.md). Ties by site id, so the order is the same on every run.
        Array.Sort(keys, 0, slots);
        for (int t = 0; t < slots; t++)
        {
            int site = (int)(uint)keys[t];
            _slotSite[t] = site;
            _slotCount[t] = _siteSlot[site];
            _siteSlot[site] = t;
        }
        int acc = 0;
        for (int t = 0; t < slots; t++) { _slotStart[t] = acc; acc += _slotCount[t]; _slotCount[t] = 0; }
        _openRows = acc;
        for (int i = 0; i < open.Length; i++)
        {
            int o = open[i];
            if (os.PlacedAt[o] > now) continue;
            int t = _siteSlot[os.Site[o]];
            // Insertion by ready time keeps each site's orders in the order bundling considers them.
            int p = _slotStart[t] + _slotCount[t]++;
            double r = os.ReadyAt[o];
            long q = os.Seq[o]; // ties by placement, not by slot (slots are reused)
            while (p > _slotStart[t] && (os.ReadyAt[_slotOrders[p - 1]] > r || (os.ReadyAt[_slotOrders[p - 1]] == r && os.Seq[_slotOrders[p - 1]] > q)))
            {
                _slotOrders[p] = _slotOrders[p - 1];
                p--;
            }
            _slotOrders[p] = o;
        }
        _slots = slots;
    }

    private void FindCandidates(int fromSlot, int toSlot)
    {
        var sites = _s.Sites;
        double now = _now;
        for (int t = fromSlot; t < toSlot; t++)
        {
            int site = _slotSite[t];
            _candCount[t] = _grid.Nearest(ref _travel, sites.X[site], sites.Y[site], now, _kEff,
                _candCol.AsSpan(t * _kEff, _kEff), _candArrival.AsSpan(t * _kEff, _kEff));
        }
    }

    private double Penalty(double clickToDoor)
    {
        var opt = _s.Options;
        double p = clickToDoor;
        double overTarget = clickToDoor - opt.TargetClickToDoorMinutes;
        if (overTarget > 0) p += opt.OverTargetWeight * overTarget;
        double overMax = clickToDoor - opt.MaxClickToDoorMinutes;
        if (overMax > 0) p += opt.OverMaxWeight * overMax;
        return p;
    }

    /// <summary>The cost of dropping order <paramref name="o"/> off at <paramref name="drop"/>: its click-to-door
    /// penalty plus, past its promise, <see cref="DispatchOptions.PromiseBreakCost"/> once and
    /// <see cref="DispatchOptions.PromiseLatenessWeight"/> per minute (an order with no promise, +infinity, has none), so
    /// orders about to break their promise go before orders with time to spare, and of two orders one of which must
    /// break its promise, the one that can still keep it is saved.</summary>
    private double OrderCost(int o, double drop)
    {
        double cost = Penalty(drop - _s.Orders.PlacedAt[o]);
        double late = drop - _s.PromisedDrop[o];
        return late > 0 ? cost + _promiseBreakCost + _promiseWeight * late : cost;
    }

    /// <summary>Cost of courier column <paramref name="col"/> taking the one-site bundle <paramref name="seq"/> (drop order); +inf when infeasible.</summary>
    private double BundleCost(int col, ReadOnlySpan<int> seq) => BundleCost(col, seq, out _, out _, out _);

    private double BundleCost(int col, ReadOnlySpan<int> seq, out double lastClickToDoor) => BundleCost(col, seq, out lastClickToDoor, out _, out _);

    /// <param name="col">Courier column.</param>
    /// <param name="seq">The bundle's orders, in drop order.</param>
    /// <param name="lastClickToDoor">The last drop-off's click-to-door (+inf when infeasible).</param>
    /// <param name="pickupAt">When the courier picks the bundle up.</param>
    /// <param name="lastDropAt">When it drops the last order off (the provisional matching's timing, so the quotes
    /// read the trip as the planner priced it).</param>
    private double BundleCost(int col, ReadOnlySpan<int> seq, out double lastClickToDoor, out double pickupAt, out double lastDropAt)
    {
        lastClickToDoor = double.PositiveInfinity;
        pickupAt = lastDropAt = double.PositiveInfinity;
        if (!_cands.HasRoomFor(col, seq.Length)) return double.PositiveInfinity;
        var os = _s.Orders;
        int site = os.Site[seq[0]];
        double sx = _s.Sites.X[site], sy = _s.Sites.Y[site];
        double avail = _cands.Avail[col];
        double arrive = avail + TravelAhead.MinutesFrom(ref _travel, _cands.X[col], _cands.Y[col], sx, sy, avail);
        double ready = LatestReady(seq);
        double pickup = Math.Max(ready, arrive + _halfP);
        if (pickup > _s.Couriers.ShiftEnd[_cands.Courier[col]]) return double.PositiveInfinity;
        pickupAt = pickup;
        double t = pickup + _halfP, px = sx, py = sy, cost = 0;
        for (int i = 0; i < seq.Length; i++)
        {
            int o = seq[i];
            double dx = os.DropX[o], dy = os.DropY[o];
            t += TravelAhead.MinutesFrom(ref _travel, px, py, dx, dy, t);
            double drop = t + _halfD;
            lastClickToDoor = drop - os.PlacedAt[o];
            lastDropAt = drop;
            cost += OrderCost(o, drop);
            t = drop + _halfD;
            px = dx; py = dy;
        }
        return cost + _travelWeight * (t - _halfD - avail) ;
    }

    /// <summary>What leaving a bundle for a later tick costs: a large constant per order (serve as many as
    /// possible) plus each order's penalty if picked up <see cref="_postponeDelay"/> minutes from now at the earliest.</summary>
    private double PostponeCostOf(ReadOnlySpan<int> seq, double now)
    {
        var os = _s.Orders;
        double cost = 0;
        for (int i = 0; i < seq.Length; i++)
        {
            int o = seq[i];
            double ready = os.ReadyAt[o];
            double drop = _s.LowerBoundDrop[o] + Math.Max(0, now + _postponeDelay - ready);
            cost += PostponeCost + OrderCost(o, drop) + RemadeWaitCost(o);
        }
        return cost;
    }

    /// <summary>What leaving a re-made order for a later tick costs beyond its minutes: the break cost again. Its promise
    /// was broken with the failed delivery, so every option breaks it and the break cost alone would weigh nothing for it,
    /// while a fresh order competing for the same courier gains that cost by keeping its own promise; a re-made order is
    /// re-dispatched with priority (as the other profiles' urgency order has it), so its wait weighs that much more.</summary>
    private double RemadeWaitCost(int o) => _s.Orders.Remakes[o] > 0 ? _promiseBreakCost : 0;

    private ReadOnlySpan<int> BundleSeq(int b) => _bOrders.AsSpan(b * _maxBundle, _bCount[b]);

    private void MatchSingles()
    {
        int rows = _openRows;
        _solver.Begin(rows, _cands.Count, rows * _kEff);
        FillAndSolve(_fillSingles, rows);
        var match = _solver.RowMatch;
        for (int r = 0; r < rows; r++)
        {
            int col = match[r];
            if (col < _cands.Count) { col = _candOfColumn[col]; _bCol[r] = col; _bCost[r] = SingleCost(r, col); }
            else { _bCol[r] = -1; _bCost[r] = _orderPost[_bOrders[r * _maxBundle]]; }
        }
    }

    /// <summary>Row <paramref name="r"/>'s order alone with candidate column <paramref name="col"/>, as <see cref="FillSingles"/> costed it.</summary>
    private double SingleCost(int r, int col)
    {
        int cb = _bSlot[r] * _kEff, cn = _candCount[_bSlot[r]];
        for (int j = 0; j < cn; j++)
            if (_candCol[cb + j] == col) return _singleCost[r * _kEff + j];
        return BundleCost(col, BundleSeq(r)); // not a candidate of its site: cannot be matched to it, kept for safety
    }

    /// <summary>The first matching's rows: every open order alone, against its site's candidates (found here, a site at a time).</summary>
    private void FillSingles()
    {
        int b = 0;
        for (int t = 0; t < _slots; t++)
        {
            FindCandidates(t, t + 1);
            int cb = t * _kEff, cn = _candCount[t];
            for (int i = 0; i < _slotCount[t]; i++)
            {
                int o = _slotOrders[_slotStart[t] + i];
                _bOrders[b * _maxBundle] = o;
                _bCount[b] = 1;
                _bSlot[b] = t;
                _orderBundle[o] = b;
                var seq = BundleSeq(b);
                double best = double.PositiveInfinity, bestC2d = 0;
                // Candidates in order of arrival: of two couriers at the same cost the solver takes the later edge, the
                // courier arriving later (see SparseAssignmentSolver's tie rule).
                for (int j = 0; j < cn; j++)
                {
                    int col = _candCol[cb + j];
                    double cost = BundleCost(col, seq, out double c2d);
                    _singleCost[b * _kEff + j] = cost;
                    if (!double.IsFinite(cost)) continue;
                    _solver.AddEdge(_columnOf[col], cost);
                    if (cost < best) { best = cost; bestC2d = c2d; }
                }
                // Postponing costs the order's penalty if picked up _postponeDelay from now at the earliest
                // (which favours serving orders near couriers: shortest job first, best for the mean).
                // An order waiting longer than the starvation age is priced relative to its own best
                // option instead, so one far from every courier is not postponed forever.
                double bestDrop = _s.Orders.PlacedAt[o] + bestC2d;
                _orderPost[o] = _now - _s.Orders.PlacedAt[o] > _starvationAge && double.IsFinite(best)
                    ? PostponeCost + best + OrderCost(o, bestDrop + _postponeDelay) - OrderCost(o, bestDrop) + RemadeWaitCost(o)
                    : PostponeCostOf(seq, _now);
                _solver.EndRow(_orderPost[o]);
                b++;
            }
        }
    }

    /// <summary>Bundles slots [<paramref name="fromSlot"/>, <paramref name="toSlot"/>) with <paramref name="seq"/> as the
    /// drop sequence buffer. A slot's bundling reads and writes only its own orders' rows (and the rescue values, read
    /// only), so the two halves of the slots can run on two threads and decide as one thread would.</summary>
    private void Bundle(int fromSlot, int toSlot, int[] seq)
    {
        if (_maxBundle < 2) return;
        var os = _s.Orders;
        double window = _s.Options.BundleReadyWindowMinutes;
        for (int t = fromSlot; t < toSlot; t++)
        {
            int n = _slotCount[t];
            if (n < 2) continue;
            int start = _slotStart[t];
            for (int i = 0; i < n; i++)
            {
                int o = _slotOrders[start + i];
                int b = _orderBundle[o];
                if (_bCount[b] != 1) continue;
                double own = _bCost[b];
                // A courier freed by bundling is worth more the shorter couriers are, and (rescue) the more a waiting order near it needs it.
                double freed = _bCol[b] >= 0 ? _freedCourierValue + (_freedCourierRescue ? _colRescue[_bCol[b]] : 0) : 0;
                if (_bCol[b] >= 0 && freed <= 0 && own <= Penalty(_s.LowerBoundDrop[o] - os.PlacedAt[o]) + BundleDelayTrigger) continue;
                own += freed;

                int bestHost = -1, bestPos = -1;
                double bestGain = 0.01, bestCost = 0;
                for (int j = 0; j < n; j++)
                {
                    int h = _orderBundle[_slotOrders[start + j]];
                    if (h == b || _bCol[h] < 0 || _bCount[h] >= _maxBundle) continue;
                    var hs = BundleSeq(h);
                    // Only the bundle's first order (in slot order) represents it, to visit each host once.
                    if (hs[0] != _slotOrders[start + j]) continue;
                    if (!WithinWindow(hs, os.ReadyAt[o], window)) continue;
                    int m = hs.Length;
                    for (int pos = 0; pos <= m; pos++)
                    {
                        DropSequence.Insert(hs, o, pos, seq);
                        double c = BundleCost(_bCol[h], seq.AsSpan(0, m + 1));
                        double gain = own - (c - _bCost[h]);
                        if (gain > bestGain) { bestGain = gain; bestHost = h; bestPos = pos; bestCost = c; }
                    }
                }
                if (bestHost < 0) continue;
                var host = BundleSeq(bestHost);
                DropSequence.Insert(host, o, bestPos, seq);
                int hm = host.Length + 1;
                seq.AsSpan(0, hm).CopyTo(_bOrders.AsSpan(bestHost * _maxBundle, hm));
                _bCount[bestHost] = hm;
                _bCost[bestHost] = bestCost;
                _orderBundle[o] = bestHost;
                _bCount[b] = 0;
                _bCol[b] = -1;
            }
        }
    }

    /// <summary>
    /// What each candidate courier would be worth if a bundle freed it: the most it would lower the cost of one open
    /// order that is waiting (postponed by the matching, or matched at a cost more than <see cref="BundleDelayTrigger"/>
    /// above the penalty of its lower bound: the bundling step's own test of an order served late), against that order's
    /// match or postponement.
    /// A fixed value per freed courier (<see cref="_freedCourierValue"/>) knows only how short couriers are overall;
    /// this one knows whether the order next in line for that courier is near it and how long it would wait otherwise,
    /// so a bundle is formed where its courier is needed, and not where it is not.
    /// </summary>
    private void RescueValues()
    {
        // Two halves of the rows, each into its own array (the second may run on the fill lane), then the larger of
        // the two per column: a maximum is the same whatever the order it was taken in, so the values are one thread's.
        RunSplit(_rescueLower, _rescueUpper, _slots);
        var upper = _colRescueUpper;
        for (int c = 0; c < _cands.Count; c++)
            if (upper[c] > _colRescue[c]) _colRescue[c] = upper[c];
    }

    private void RescueValuesOf(int fromRow, int toRow, double[] rescue)
    {
        var os = _s.Orders;
        Array.Clear(rescue, 0, _cands.Count);
        for (int b = fromRow; b < toRow; b++)
        {
            // After MatchSingles every row is a single order, its cost that of its match or its postponement.
            int o = _bOrders[b * _maxBundle];
            double current;
            if (_bCol[b] >= 0)
            {
                if (_bCost[b] <= Penalty(_s.LowerBoundDrop[o] - os.PlacedAt[o]) + BundleDelayTrigger) continue;
                current = _bCost[b];
            }
            else current = _orderPost[o] - PostponeCost;
            int t = _bSlot[b];
            int cb = t * _kEff, cn = _candCount[t];
            for (int j = 0; j < cn; j++)
            {
                int col = _candCol[cb + j];
                if (col == _bCol[b]) continue;
                double gain = current - _singleCost[b * _kEff + j];
                if (gain > rescue[col]) rescue[col] = gain;
            }
        }
    }

    /// <summary>Whether an order ready at <paramref name="ready"/> may join bundle <paramref name="hs"/>: every two of its
    /// orders' food is ready within <paramref name="window"/> minutes of each other, food already waiting counting as
    /// ready now. The window bounds how long one order's food would wait for another's; minutes it has already waited
    /// it waits whichever bundle it goes in, so two orders of a site that are both ready can always share a courier
    /// (at the end of a day, when the last couriers can make few more pickups, this is what serves the orders left).</summary>
    private bool WithinWindow(ReadOnlySpan<int> hs, double ready, double window)
    {
        var os = _s.Orders;
        for (int i = 0; i < hs.Length; i++)
            if (Math.Abs(Math.Max(os.ReadyAt[hs[i]], _now) - Math.Max(ready, _now)) > window) return false;
        return true;
    }

    private void MatchBundles()
    {
        int total = _openRows;
        _solver.Begin(total, _cands.Count, total * _kEff);
        FillAndSolve(_fillBundles, total);
        var match = _solver.RowMatch;
        for (int r = 0; r < match.Length; r++)
        {
            int col = match[r];
            _bCol[_rowBundle[r]] = col < _cands.Count ? _candOfColumn[col] : -1;
        }
    }

    /// <summary>The second matching's rows: every bundle left after bundling, against its site's candidates.</summary>
    private void FillBundles()
    {
        int total = _openRows;
        for (int b = 0; b < total; b++)
        {
            if (_bCount[b] == 0) continue;
            int t = _bSlot[b];
            int cb = t * _kEff, cn = _candCount[t];
            var seq = BundleSeq(b);
            // A bundle of one is its row's own order, untouched by bundling: its costs are the first matching's.
            bool single = seq.Length == 1;
            for (int j = 0; j < cn; j++)
            {
                int col = _candCol[cb + j];
                double cost = single ? _singleCost[b * _kEff + j] : BundleCost(col, seq);
                if (double.IsFinite(cost)) _solver.AddEdge(_columnOf[col], cost + ContentionTieBreak * _colDemand[col]);
            }
            double post = 0;
            for (int i = 0; i < seq.Length; i++) post += _orderPost[seq[i]];
            _rowBundle[_solver.EndRow(post)] = b;
        }
    }

    /// <summary>Sends each matched bundle whose courier is idle and must leave now; the rest wait for the next tick, and
    /// are written down as the provisional matching (<see cref="ProvisionalTrips"/>) for the promise quotes until then.</summary>
    private void Commit<TSink>(double now, ref TSink sink) where TSink : IAssignmentSink
    {
        double tick = _s.Options.TickIntervalMinutes;
        for (int b = 0; b < _openRows; b++)
        {
            int col = _bCol[b];
            if (_bCount[b] == 0 || col < 0) continue;
            if (!CommitIfDue(ref sink, _cands.Courier[col], BundleSeq(b), now, tick)) NoteProvisional(col, BundleSeq(b));
        }
    }

    /// <summary>Writes down courier column <paramref name="col"/>'s provisional trip <paramref name="seq"/>, timed by
    /// <see cref="BundleCost(int, ReadOnlySpan{int}, out double, out double, out double)"/> as the matching priced it.</summary>
    private void NoteProvisional(int col, ReadOnlySpan<int> seq)
    {
        var os = _s.Orders;
        BundleCost(col, seq, out _, out double pickup, out double lastDrop);
        if (!double.IsFinite(lastDrop)) return; // not a trip the courier can make (the matching does not pick those)
        double ready = LatestReady(seq);
        int last = seq[^1];
        _s.Provisional.Note(_cands.Courier[col], seq, os.Site[seq[0]], pickup, ready, os.DropX[last], os.DropY[last], lastDrop);
    }
}
