using Dispatch.Promises;
using Dispatch.State;

namespace Dispatch.Core.Tests.Promises;

/// <summary>
/// The test oracle of <see cref="DropoffEstimator"/>: the queue simulation as it was before the estimator kept its runs
/// between quotes (main at cc154ab, unchanged but for its name and namespace): every quote simulates the queue from
/// scratch. The estimator must answer every quote exactly as this does. Since the quote reads the planner's provisional
/// matching (<see cref="ProvisionalTrips"/>), so does this: a courier with a provisional trip starts free after it, with
/// it as its site's open trip, and the orders in those trips are not queued.
/// </summary>
internal sealed class StraightforwardQueueSimulation
{
    /// <summary>Most orders ahead the queue simulation takes (see <see cref="Run"/>).</summary>
    public const int QueueLimit = 2048;

    /// <summary>Couriers a queued order is matched among (the heap's top five levels: among the first free, roughly).</summary>
    public const int NearCandidates = 31;

    private double[] _free = new double[16], _x = new double[16], _y = new double[16], _end = new double[16];
    private int[] _heap = new int[16];

    /// <summary>Per courier slot: minutes its simulated free time grew by bundles joined after it was placed in the heap
    /// (applied when it next reaches the top: keys only grow, so a lazy increase keeps the heap order).</summary>
    private double[] _grown = new double[16];

    /// <summary>Per courier slot: trips it started in this run; a site's open trip is only joinable while it is its
    /// courier's latest (once the courier has moved on, the bundle has left).</summary>
    private int[] _trips = new int[16];

    /// <summary>Per site slot: the trip last started from it in this run (<see cref="_tripStamp"/> = the run's stamp,
    /// so nothing is cleared between runs): its courier (heap slot), pickup time, orders, first ready time, and where and
    /// when its last drop-off is.</summary>
    private int[] _tripStamp = new int[16], _tripCourier = new int[16], _tripCount = new int[16], _tripSerial = new int[16];
    private double[] _tripPickup = new double[16], _tripReady = new double[16], _tripX = new double[16], _tripY = new double[16], _tripDrop = new double[16];
    private int _stamp;

    /// <summary>What a quote found: the point estimate of the drop-off and the expected wait for a courier after the
    /// food is ready (its situation); +infinity when no courier on shift can take the order.</summary>
    public readonly record struct Estimate(double Dropoff, double Wait);

    /// <summary>Makes room for <paramref name="couriers"/> courier slots (outside the tick).</summary>
    public void EnsureCapacity(int couriers)
    {
        if (_free.Length >= couriers) return;
        int n = Math.Max(couriers, _free.Length * 2);
        _free = new double[n]; _x = new double[n]; _y = new double[n]; _end = new double[n]; _heap = new int[n]; _grown = new double[n]; _trips = new int[n];
    }

    /// <summary>Makes room for <paramref name="sites"/> site slots (outside the tick).</summary>
    public void EnsureSiteCapacity(int sites)
    {
        if (_tripStamp.Length >= sites) return;
        int n = Math.Max(sites, _tripStamp.Length * 2);
        Array.Resize(ref _tripStamp, n); // keeps the stamps: a grown slot holds 0, which no run uses
        _tripCourier = new int[n]; _tripCount = new int[n]; _tripSerial = new int[n];
        _tripPickup = new double[n]; _tripReady = new double[n]; _tripX = new double[n]; _tripY = new double[n]; _tripDrop = new double[n];
    }

    /// <param name="s">The engine's state (read only).</param>
    /// <param name="travel">The travel rule.</param>
    /// <param name="site">Site slot of the order.</param>
    /// <param name="dropX">Drop-off x.</param>
    /// <param name="dropY">Drop-off y.</param>
    /// <param name="readyAt">Announced ready time.</param>
    /// <param name="kitchenLate">Expected minutes the pickup runs past the plan at this site (recent record).</param>
    /// <param name="self">The order's own slot when it is already placed (left out of the queue), else -1.</param>
    /// <param name="now">The caller's now.</param>
    public Estimate Run<TTravel>(EngineState s, ref TTravel travel, int site, double dropX, double dropY, double readyAt, double kitchenLate, int self, double now)
        where TTravel : struct, ITravelTime
    {
        var cs = s.Couriers;
        var os = s.Orders;
        double halfP = s.Options.PickupServiceMinutes * 0.5, halfD = s.Options.DropoffServiceMinutes * 0.5;
        double sx = s.Sites.X[site], sy = s.Sites.Y[site];
        EnsureCapacity(cs.Count);
        EnsureSiteCapacity(s.Sites.Count);
        int maxBundle = s.Options.MaxBundleSize;
        double window = s.Options.BundleReadyWindowMinutes;
        if (++_stamp == int.MaxValue) { Array.Clear(_tripStamp); _stamp = 1; }
        int m = 0;
        for (int c = 0; c < cs.Count; c++)
        {
            if (cs.Id[c] < 0 || cs.State[c] == CourierState.Ended || cs.ShiftEnd[c] <= now) continue;
            _free[m] = Math.Max(now, Math.Max(cs.FreeAt[c], cs.ShiftStart[c]));
            _x[m] = cs.X[c]; _y[m] = cs.Y[c]; _end[m] = cs.ShiftEnd[c];
            _heap[m] = m;
            _grown[m] = 0;
            _trips[m] = 0;
            if (s.Provisional.HasTrip(c))
            {
                var plan = s.Provisional;
                _free[m] = Math.Max(_free[m], plan.LastDrop[c] + halfD);
                _x[m] = plan.LastX[c]; _y[m] = plan.LastY[c];
                StartTrip(plan.Site[c], m, plan.Pickup[c], plan.Ready[c], plan.LastX[c], plan.LastY[c], plan.LastDrop[c]);
                _tripCount[plan.Site[c]] = plan.Count[c];
            }
            m++;
        }
        if (m == 0) return new Estimate(double.PositiveInfinity, double.PositiveInfinity);
        for (int i = m / 2 - 1; i >= 0; i--) SiftDown(i, m);

        // The queue ahead: open orders ready no later than this one, each to the courier free first. A courier whose
        // shift ends before it could pick the next one up leaves the queue (the order goes to the next courier).
        // At most QueueLimit of them: every order is quoted at placement, so this bounds a placement's cost in a city
        // with tens of thousands of open orders (past the limit the simulated wait falls short; the calibration's
        // quantiles learn what it leaves out, as they learn bundling and the planner's order of service).
        int queued = 0;
        foreach (int o in s.OpenOrders.Items)
        {
            if (o == self || os.ReadyAt[o] > readyAt) continue;
            if (s.Provisional.Holds(o))
            {
                int h = s.Provisional.OrderCourier[o];
                if (cs.Id[h] >= 0 && cs.State[h] != CourierState.Ended && cs.ShiftEnd[h] > now) continue; // its courier takes it
            }
            if (++queued > QueueLimit) break;
            int osite = os.Site[o];
            double ox = s.Sites.X[osite], oy = s.Sites.Y[osite];
            // Bundled into its site's open trip, it drops off after the trip's last drop-off (the planner inserts
            // anywhere in the drop order; last is the simple, slightly late, case).
            double join = JoinedDrop(ref travel, osite, os.ReadyAt[o], os.DropX[o], os.DropY[o], maxBundle, window, halfD);
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
                double pickup = Math.Max(os.ReadyAt[o], _free[k] + travel.Minutes(_x[k], _y[k], ox, oy) + halfP);
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
                for (int h = 1; h < Math.Min(m, NearCandidates) && pickup > os.ReadyAt[o]; h++)
                {
                    int c = _heap[h];
                    double freeAt = _free[c] + _grown[c];
                    if (freeAt + halfP >= pickup) continue; // free too late to pick up sooner, wherever it is: no drive to time
                    double p2 = Math.Max(os.ReadyAt[o], freeAt + travel.Minutes(_x[c], _y[c], ox, oy) + halfP);
                    if (p2 < pickup && p2 <= _end[c]) { pickup = p2; at = h; }
                }
                k = _heap[at];
                // LowerBoundDrop = ready + half pickup + leg + half drop-off: the same leg from the pickup.
                double drop = pickup > _end[k] ? double.PositiveInfinity : pickup + (s.LowerBoundDrop[o] - os.ReadyAt[o]);
                if (join <= drop)
                {
                    Join(osite, join, os.DropX[o], os.DropY[o]);
                    break;
                }
                _free[k] = drop + halfD;
                _grown[k] = 0;
                _x[k] = os.DropX[o]; _y[k] = os.DropY[o];
                StartTrip(osite, k, pickup, os.ReadyAt[o], os.DropX[o], os.DropY[o], drop);
                SiftDown(at, m);
                break;
            }
            if (m == 0) return new Estimate(double.PositiveInfinity, double.PositiveInfinity);
        }

        double ready = readyAt + kitchenLate;
        double best = double.PositiveInfinity;
        for (int h = 0; h < m; h++)
        {
            int i = _heap[h];
            double pickup = Math.Max(ready, _free[i] + _grown[i] + travel.Minutes(_x[i], _y[i], sx, sy) + halfP);
            if (pickup > _end[i] || pickup >= best) continue;
            best = pickup;
            if (best <= ready) break; // no courier picks up before the food is ready: the rest cannot do better
        }
        double leg = travel.Minutes(sx, sy, dropX, dropY);
        double own = best + halfP + leg + halfD;
        // Or in its site's open trip, when that drops it off sooner (the wait is then until that trip's pickup).
        double joined = JoinedDrop(ref travel, site, ready, dropX, dropY, maxBundle, window, halfD);
        if (joined < own) return new Estimate(joined, Math.Max(0, _tripPickup[site] - ready));
        if (double.IsPositiveInfinity(best)) return new Estimate(double.PositiveInfinity, double.PositiveInfinity);
        return new Estimate(own, best - ready);
    }

    /// <summary>The drop-off of an order (ready at <paramref name="ready"/>, to <paramref name="dropX"/>,
    /// <paramref name="dropY"/>) added last to the open trip of <paramref name="site"/>; +infinity when the site has no
    /// open trip in this run, the trip is full, its first order's ready time is more than <paramref name="window"/> away,
    /// or the trip's pickup comes before this food is ready (a courier does not wait at the counter for a bundle the
    /// planner would not have formed).</summary>
    private double JoinedDrop<TTravel>(ref TTravel travel, int site, double ready, double dropX, double dropY, int maxBundle, double window, double halfD)
        where TTravel : struct, ITravelTime
    {
        if (_tripStamp[site] != _stamp || _trips[_tripCourier[site]] != _tripSerial[site] || _tripCount[site] >= maxBundle || Math.Abs(ready - _tripReady[site]) > window || ready > _tripPickup[site])
            return double.PositiveInfinity;
        return _tripDrop[site] + halfD + travel.Minutes(_tripX[site], _tripY[site], dropX, dropY) + halfD;
    }

    /// <summary>A queued order joins the open trip of <paramref name="site"/>, dropped off at <paramref name="drop"/>: the
    /// trip's courier is free later by as much.</summary>
    private void Join(int site, double drop, double dropX, double dropY)
    {
        int k = _tripCourier[site];
        _grown[k] += drop - _tripDrop[site];
        _tripDrop[site] = drop;
        _tripX[site] = dropX; _tripY[site] = dropY;
        _tripCount[site]++;
    }

    /// <summary>Courier <paramref name="k"/> starts a trip from <paramref name="site"/>: it becomes the site's open trip.</summary>
    private void StartTrip(int site, int k, double pickup, double ready, double dropX, double dropY, double drop)
    {
        _tripStamp[site] = _stamp;
        _tripCourier[site] = k;
        _tripSerial[site] = ++_trips[k];
        _tripCount[site] = 1;
        _tripPickup[site] = pickup;
        _tripReady[site] = ready;
        _tripX[site] = dropX; _tripY[site] = dropY;
        _tripDrop[site] = drop;
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
