using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Promises;

/// <summary>
/// One queue simulation of <see cref="DropoffEstimator"/> (its doc comment has the rules), held so that it can be
/// continued and asked again: the couriers' simulated free times and places (a heap on free time), each site's open
/// trip, and how far through the open orders it has come (<see cref="Position"/> in the open-order set's order,
/// <see cref="Queued"/> orders taken). Which orders it took depends on the quoted ready time only through the orders
/// it has looked at, so it answers every ready time in [<see cref="Lo"/>, <see cref="Hi"/>) alike: the latest ready
/// time it took and the earliest it passed over.
/// The steps are the straightforward simulation's, in the same order on the same heap layout (the near-courier choice
/// reads heap positions), so a continued run ends exactly where a run from scratch would.
/// </summary>
internal sealed class QueueRun
{
    private double[] _free = new double[16], _x = new double[16], _y = new double[16], _end = new double[16];
    private int[] _heap = new int[16];

    /// <summary>Per courier slot: minutes its simulated free time grew by bundles joined after it was placed in the heap
    /// (applied when it next reaches the top: keys only grow, so a lazy increase keeps the heap order).</summary>
    private double[] _grown = new double[16];

    /// <summary>Per courier slot: trips it started in this run; a site's open trip is only joinable while it is its
    /// courier's latest (once the courier has moved on, the bundle has left).</summary>
    private int[] _trips = new int[16];

    /// <summary>Per site slot: the trip last started from it in this run, as an index into the trip columns, valid when
    /// <see cref="_siteStamp"/> is the run's stamp (so nothing is cleared between runs). Two ints per site: the trips
    /// themselves are as many as the orders a run takes at most, whatever the number of sites, so a kept run of a city
    /// with tens of thousands of sites stays small.</summary>
    private int[] _siteStamp = new int[16], _siteTrip = new int[16];
    private int _stamp;

    /// <summary>Per trip started in this run: its site, courier (heap slot), orders, serial (see <see cref="_trips"/>),
    /// pickup time, first ready time, and where and when its last drop-off is.</summary>
    private int[] _tripSite = new int[16], _tripCourier = new int[16], _tripCount = new int[16], _tripSerial = new int[16];
    private double[] _tripPickup = new double[16], _tripReady = new double[16], _tripX = new double[16], _tripY = new double[16], _tripDrop = new double[16];
    private int _tripN;

    /// <summary>Couriers still in the queue (heap size); 0 once none can take an order (the quote is then +infinity).</summary>
    private int _m;

    /// <summary>Couriers whose shift has started by the run's now and not ended (the queue's couriers less those starting
    /// later): the supply the demand still to come is shared among (<see cref="PromiseSituation"/>).</summary>
    public int OnShift;

    /// <summary>Open-order set position the run has come to.</summary>
    public int Position;

    /// <summary>Orders the run has taken (at most <see cref="DropoffEstimator.QueueLimit"/>).</summary>
    public int Queued;

    /// <summary>The ready times the run answers: at least the latest it took, below the earliest it passed over.</summary>
    public double Lo, Hi;

    /// <summary>The estimator's state version (a new now moves it too) and the now the run was made for, the only now it
    /// is used at (<see cref="DropoffEstimator"/>).</summary>
    public long Version = -1;
    public double Now;

    /// <summary>When the run was last used (the estimator's quote counter), to reuse the least recent first.</summary>
    public long LastUsed;

    /// <summary>No more orders can change the run: it took its limit, or no courier is left.</summary>
    public bool Done => Queued >= DropoffEstimator.QueueLimit || _m == 0;

    private void EnsureCapacity(int couriers, int sites)
    {
        if (_free.Length < couriers)
        {
            int n = Math.Max(couriers, _free.Length * 2);
            _free = new double[n]; _x = new double[n]; _y = new double[n]; _end = new double[n]; _heap = new int[n]; _grown = new double[n]; _trips = new int[n];
        }
        if (_siteStamp.Length < sites)
        {
            int n = Math.Max(sites, _siteStamp.Length * 2);
            Array.Resize(ref _siteStamp, n); // keeps the stamps: a grown slot holds 0, which no run uses
            _siteTrip = new int[n];
        }
    }

    /// <summary>Room for one more trip in the trip columns (they grow to the most trips a run started: at most
    /// <see cref="DropoffEstimator.QueueLimit"/>).</summary>
    private void EnsureTrip()
    {
        if (_tripN < _tripCourier.Length) return;
        int n = _tripCourier.Length * 2;
        Array.Resize(ref _tripSite, n); Array.Resize(ref _tripCourier, n); Array.Resize(ref _tripCount, n); Array.Resize(ref _tripSerial, n);
        Array.Resize(ref _tripPickup, n); Array.Resize(ref _tripReady, n); Array.Resize(ref _tripX, n); Array.Resize(ref _tripY, n); Array.Resize(ref _tripDrop, n);
    }

    /// <summary>A new run at <paramref name="now"/>: every courier on shift (or starting) free at the end of its committed
    /// plan, in a heap on free time; no order taken. A courier the planner's last tick gave a trip it did not commit
    /// (<see cref="ProvisionalTrips"/>) is free only after that trip, which is its site's open trip (a later order may
    /// join it, as the planner would add it to that bundle); the orders in those trips are not queued again
    /// (<see cref="Advance"/>): the planner serves them next, whatever their ready time.</summary>
    public void Start(EngineState s, double now)
    {
        var cs = s.Couriers;
        var plan = s.Provisional;
        EnsureCapacity(cs.Count, s.Sites.Count);
        NextStamp();
        double halfD = s.Options.DropoffServiceMinutes * 0.5;
        int m = 0, onShift = 0;
        for (int c = 0; c < cs.Count; c++)
        {
            if (!Queues(cs, c, now)) continue;
            if (cs.ShiftStart[c] <= now) onShift++;
            _free[m] = Math.Max(now, Math.Max(cs.FreeAt[c], cs.ShiftStart[c]));
            _x[m] = cs.X[c]; _y[m] = cs.Y[c]; _end[m] = cs.ShiftEnd[c];
            _heap[m] = m;
            _grown[m] = 0;
            _trips[m] = 0;
            if (plan.HasTrip(c))
            {
                _free[m] = Math.Max(_free[m], plan.LastDrop[c] + halfD);
                _x[m] = plan.LastX[c]; _y[m] = plan.LastY[c];
                StartTrip(plan.Site[c], m, plan.Pickup[c], plan.Ready[c], plan.LastX[c], plan.LastY[c], plan.LastDrop[c]);
                _tripCount[_siteTrip[plan.Site[c]]] = plan.Count[c];
            }
            m++;
        }
        _m = m;
        OnShift = onShift;
        for (int i = m / 2 - 1; i >= 0; i--) SiftDown(i, m);
        Reset(now);
    }

    /// <summary>Whether courier slot <paramref name="c"/> is in a run started at <paramref name="now"/>: on shift, or
    /// starting one, that has not ended.</summary>
    public static bool Queues(CourierStore cs, int c, double now) => cs.Id[c] >= 0 && cs.State[c] != CourierState.Ended && cs.ShiftEnd[c] > now;

    /// <summary>A new run that starts where <paramref name="start"/> (a run just started, nothing taken) does: a copy,
    /// cheaper than building the heap again.</summary>
    public void StartFrom(QueueRun start, int sites)
    {
        int m = start._m;
        EnsureCapacity(m, sites);
        NextStamp();
        start._free.AsSpan(0, m).CopyTo(_free);
        start._x.AsSpan(0, m).CopyTo(_x);
        start._y.AsSpan(0, m).CopyTo(_y);
        start._end.AsSpan(0, m).CopyTo(_end);
        start._heap.AsSpan(0, m).CopyTo(_heap);
        _grown.AsSpan(0, m).Clear();
        _trips.AsSpan(0, m).Clear();
        // The provisional trips the start holds (none started since: it takes no order).
        for (int t = 0; t < start._tripN; t++)
        {
            int site = start._tripSite[t];
            StartTrip(site, start._tripCourier[t], start._tripPickup[t], start._tripReady[t], start._tripX[t], start._tripY[t], start._tripDrop[t]);
            _tripCount[_siteTrip[site]] = start._tripCount[t];
        }
        _m = m;
        OnShift = start.OnShift;
        Reset(start.Now);
    }

    private void Reset(double now)
    {
        Now = now;
        Position = 0;
        Queued = 0;
        Lo = double.NegativeInfinity;
        Hi = double.PositiveInfinity;
    }

    private void NextStamp()
    {
        if (++_stamp == int.MaxValue) { Array.Clear(_siteStamp); _stamp = 1; }
        _tripN = 0;
    }

    /// <summary>
    /// Takes the open orders from <see cref="Position"/> on whose food is ready no later than <paramref name="readyAt"/>,
    /// each to the courier free first (see <see cref="DropoffEstimator"/>), until the limit, no courier is left, or the
    /// end of the set, whichever comes first. <paramref name="self"/> (the order being quoted, or -1) is left out: placed
    /// last, the run stops before it (so that it takes it as an order ahead of a later quote); anywhere else it is
    /// passed over, and the run then holds for this quote only.
    /// </summary>
    public void Advance<TTravel>(EngineState s, ref TTravel travel, double readyAt, int self)
        where TTravel : struct, ITravelTime
    {
        if (Done) return;
        var os = s.Orders;
        var items = s.OpenOrders.Items;
        double halfP = s.Options.PickupServiceMinutes * 0.5, halfD = s.Options.DropoffServiceMinutes * 0.5;
        int maxBundle = s.Options.MaxBundleSize;
        double window = s.Options.BundleReadyWindowMinutes;
        int m = _m;
        int p = Position;
        var plan = s.Provisional;
        // At most QueueLimit orders ahead: every order is quoted at placement, so this bounds a placement's cost in a
        // city with tens of thousands of open orders (past the limit the simulated wait falls short; the calibration's
        // quantiles learn what it leaves out, as they learn bundling and the planner's order of service).
        for (; p < items.Length && Queued < DropoffEstimator.QueueLimit; p++)
        {
            int o = items[p];
            if (o == self)
            {
                if (p == items.Length - 1) break; // the order placed last: stop before it, a later quote takes it
                continue;
            }
            // In a provisional trip: its courier serves it first, from the start of the run (unless that courier's shift
            // has ended since the tick: it is not in the run, and its trip's orders queue again).
            if (plan.Holds(o) && Queues(s.Couriers, plan.OrderCourier[o], Now)) continue;
            double oready = os.ReadyAt[o];
            if (oready > readyAt) { if (oready < Hi) Hi = oready; continue; }
            Queued++;
            if (oready > Lo) Lo = oready;
            int osite = os.Site[o];
            double ox = s.Sites.X[osite], oy = s.Sites.Y[osite];
            // Bundled into its site's open trip, it drops off after the trip's last drop-off (the planner inserts
            // anywhere in the drop order; last is the simple, slightly late, case).
            double join = JoinedDrop(ref travel, osite, oready, os.DropX[o], os.DropY[o], maxBundle, window, halfD);
            while (m > 0)
            {
                int k = _heap[0];
                if (_grown[k] > 0)
                {
                    _free[k] += _grown[k];
                    _grown[k] = 0;
                    SiftDown(0, m);
                    continue;
                }
                double pickup = Math.Max(oready, _free[k] + TravelAhead.MinutesFrom(ref travel, _x[k], _y[k], ox, oy, _free[k]) + halfP);
                // A courier whose shift ends before it could pick the order up leaves the queue (the order goes to the next).
                if (pickup > _end[k] && !(join < double.PositiveInfinity))
                {
                    _heap[0] = _heap[--m];
                    SiftDown(0, m);
                    continue;
                }
                // Of the couriers free first (the top levels of the heap), the one there soonest: the planner matches
                // near couriers, not the first free one wherever it is, which would add a trip across the city to
                // every order of a long queue.
                int at = 0;
                // A courier there by the ready time cannot be beaten (no pickup is before it): most quotes outside a
                // shortage stop here.
                for (int h = 1; h < Math.Min(m, DropoffEstimator.NearCandidates) && pickup > oready; h++)
                {
                    int c = _heap[h];
                    double freeAt = _free[c] + _grown[c];
                    if (freeAt + halfP >= pickup) continue; // free too late to pick up sooner, wherever it is: no drive to time
                    double p2 = Math.Max(oready, freeAt + TravelAhead.MinutesFrom(ref travel, _x[c], _y[c], ox, oy, freeAt) + halfP);
                    if (p2 < pickup && p2 <= _end[c]) { pickup = p2; at = h; }
                }
                k = _heap[at];
                // LowerBoundDrop = ready + half pickup + leg + half drop-off: the same leg from the pickup, as long as it
                // starts before the travel rule's next change (TravelAhead's own test; past it, the leg as it will be then).
                double drop = pickup > _end[k] ? double.PositiveInfinity
                    : pickup + halfP < travel.ChangesFrom ? pickup + (s.LowerBoundDrop[o] - oready)
                    : pickup + halfP + travel.MinutesAt(ox, oy, os.DropX[o], os.DropY[o], pickup + halfP) + halfD;
                if (join <= drop)
                {
                    Join(osite, join, os.DropX[o], os.DropY[o]);
                    break;
                }
                _free[k] = drop + halfD;
                _grown[k] = 0;
                _x[k] = os.DropX[o]; _y[k] = os.DropY[o];
                StartTrip(osite, k, pickup, oready, os.DropX[o], os.DropY[o], drop);
                SiftDown(at, m);
                break;
            }
            if (m == 0) { p++; break; }
        }
        _m = m;
        Position = p;
    }

    /// <summary>
    /// The quote from where the run stands (read only: the run can be asked again): the order (ready at
    /// <paramref name="readyAt"/> plus <paramref name="kitchenLate"/>, at site slot <paramref name="site"/>, to
    /// <paramref name="dropX"/>, <paramref name="dropY"/>) goes with the courier that can pick it up first, or into its
    /// site's open trip when that drops it off sooner.
    /// </summary>
    public DropoffEstimator.Estimate Answer<TTravel>(EngineState s, ref TTravel travel, int site, double dropX, double dropY, double readyAt, double kitchenLate)
        where TTravel : struct, ITravelTime
    {
        int m = _m;
        if (m == 0) return new DropoffEstimator.Estimate(double.PositiveInfinity, double.PositiveInfinity, OnShift);
        double halfP = s.Options.PickupServiceMinutes * 0.5, halfD = s.Options.DropoffServiceMinutes * 0.5;
        double sx = s.Sites.X[site], sy = s.Sites.Y[site];
        double ready = readyAt + kitchenLate;
        double best = FirstPickup(ref travel, sx, sy, ready, halfP);
        // Every leg of the simulation is timed for when it starts (TravelAhead: rain or a jam announced for then), so a
        // quote made before the rain knows the drives after its onset are in it.
        double own = best + halfP + TravelAhead.MinutesFrom(ref travel, sx, sy, dropX, dropY, best + halfP) + halfD;
        // Or in its site's open trip, when that drops it off sooner (the wait is then until that trip's pickup).
        double joined = JoinedDrop(ref travel, site, ready, dropX, dropY, s.Options.MaxBundleSize, s.Options.BundleReadyWindowMinutes, halfD);
        if (joined < own) return new DropoffEstimator.Estimate(joined, Math.Max(0, _tripPickup[_siteTrip[site]] - ready), OnShift);
        if (double.IsPositiveInfinity(best)) return new DropoffEstimator.Estimate(double.PositiveInfinity, double.PositiveInfinity, OnShift);
        return new DropoffEstimator.Estimate(own, best - ready, OnShift);
    }

    /// <summary>
    /// The earliest pickup at (<paramref name="sx"/>, <paramref name="sy"/>) of food ready at <paramref name="ready"/>
    /// by any courier in the queue (before its shift ends); +infinity when none can. A walk of the heap that skips every
    /// subtree whose root is free too late to beat the best found (keys are free times without the lazy growth, which
    /// only adds, and a child is never free before its parent), so it times the drive of the couriers free early, not of
    /// all of them: the minimum over every courier, as a full scan finds it.
    /// </summary>
    private double FirstPickup<TTravel>(ref TTravel travel, double sx, double sy, double ready, double halfP)
        where TTravel : struct, ITravelTime
    {
        int m = _m;
        var heap = _heap;
        double best = double.PositiveInfinity;
        // Pending right children: one per level walked down, and a heap of int.MaxValue nodes has 31 levels.
        Span<int> pending = stackalloc int[32];
        int top = 0;
        pending[top++] = 0;
        while (top > 0)
        {
            int h = pending[--top];
            while (h < m)
            {
                int i = heap[h];
                if (_free[i] + halfP >= best) break; // no pickup below this node beats the best
                double pickup = Math.Max(ready, _free[i] + _grown[i] + TravelAhead.MinutesFrom(ref travel, _x[i], _y[i], sx, sy, _free[i] + _grown[i]) + halfP);
                if (pickup <= _end[i] && pickup < best)
                {
                    best = pickup;
                    if (best <= ready) return best; // no courier picks up before the food is ready
                }
                int l = 2 * h + 1;
                if (l + 1 < m) pending[top++] = l + 1;
                h = l;
            }
        }
        return best;
    }

    /// <summary>The drop-off of an order (ready at <paramref name="ready"/>, to <paramref name="dropX"/>,
    /// <paramref name="dropY"/>) added last to the open trip of <paramref name="site"/>; +infinity when the site has no
    /// open trip in this run, the trip is full, its first order's ready time is more than <paramref name="window"/> away,
    /// or the trip's pickup comes before this food is ready (a courier does not wait at the counter for a bundle the
    /// planner would not have formed).</summary>
    private double JoinedDrop<TTravel>(ref TTravel travel, int site, double ready, double dropX, double dropY, int maxBundle, double window, double halfD)
        where TTravel : struct, ITravelTime
    {
        if (_siteStamp[site] != _stamp) return double.PositiveInfinity;
        int t = _siteTrip[site];
        if (_trips[_tripCourier[t]] != _tripSerial[t] || _tripCount[t] >= maxBundle || Math.Abs(ready - _tripReady[t]) > window || ready > _tripPickup[t])
            return double.PositiveInfinity;
        double leave = _tripDrop[t] + halfD;
        return leave + TravelAhead.MinutesFrom(ref travel, _tripX[t], _tripY[t], dropX, dropY, leave) + halfD;
    }

    /// <summary>A queued order joins the open trip of <paramref name="site"/>, dropped off at <paramref name="drop"/>: the
    /// trip's courier is free later by as much.</summary>
    private void Join(int site, double drop, double dropX, double dropY)
    {
        int t = _siteTrip[site];
        int k = _tripCourier[t];
        _grown[k] += drop - _tripDrop[t];
        _tripDrop[t] = drop;
        _tripX[t] = dropX; _tripY[t] = dropY;
        _tripCount[t]++;
    }

    /// <summary>Courier <paramref name="k"/> starts a trip from <paramref name="site"/>: it becomes the site's open trip.</summary>
    private void StartTrip(int site, int k, double pickup, double ready, double dropX, double dropY, double drop)
    {
        // The site's earlier trip, if any, has left (a site has one open trip): its columns are taken over.
        int t;
        if (_siteStamp[site] == _stamp) t = _siteTrip[site];
        else
        {
            EnsureTrip();
            t = _tripN++;
            _siteStamp[site] = _stamp;
            _siteTrip[site] = t;
        }
        _tripSite[t] = site;
        _tripCourier[t] = k;
        _tripSerial[t] = ++_trips[k];
        _tripCount[t] = 1;
        _tripPickup[t] = pickup;
        _tripReady[t] = ready;
        _tripX[t] = dropX; _tripY[t] = dropY;
        _tripDrop[t] = drop;
    }

    private void SiftDown(int i, int m)
    {
        var heap = _heap;
        var free = _free;
        while (true)
        {
            int l = 2 * i + 1;
            if (l >= m) return;
            int r = l + 1;
            int c = r < m && free[heap[r]] < free[heap[l]] ? r : l;
            if (!(free[heap[c]] < free[heap[i]])) return;
            (heap[c], heap[i]) = (heap[i], heap[c]);
            i = c;
        }
    }
}
