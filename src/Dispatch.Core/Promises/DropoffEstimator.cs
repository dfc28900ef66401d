using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Promises;

/// <summary>
/// The point estimate of an order's drop-off from what the engine knows before the order is in a plan: a short
/// simulation of the queue. Every courier on shift (or starting) is free at the end of its committed plan (where and
/// when); the open orders whose food is ready no later than this one's go first, each taken by the courier free
/// earliest (which then ends at that order's drop-off); this order then goes with the courier that can pick it up
/// first. Its food is expected ready at the ready time plus the site's recent pickup lateness. Travel is the
/// engine's travel rule, so the known traffic picture is in it. What the simulation leaves out (bundles, the
/// planner's order of service, re-planning) is what the calibration learns (<see cref="ErrorQuantiles"/>).
/// Read-only on the engine's state and allocation-free once its buffers fit the couriers: quoting decides nothing.
/// </summary>
internal sealed class DropoffEstimator
{
    /// <summary>Most orders ahead the queue simulation takes (see <see cref="Run"/>).</summary>
    public const int QueueLimit = 2048;

    private double[] _free = new double[16], _x = new double[16], _y = new double[16], _end = new double[16];
    private int[] _heap = new int[16];

    /// <summary>What a quote found: the point estimate of the drop-off and the expected wait for a courier after the
    /// food is ready (its situation); +infinity when no courier on shift can take the order.</summary>
    public readonly record struct Estimate(double Dropoff, double Wait);

    /// <summary>Makes room for <paramref name="couriers"/> courier slots (outside the tick).</summary>
    public void EnsureCapacity(int couriers)
    {
        if (_free.Length >= couriers) return;
        int n = Math.Max(couriers, _free.Length * 2);
        _free = new double[n]; _x = new double[n]; _y = new double[n]; _end = new double[n]; _heap = new int[n];
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
        int m = 0;
        for (int c = 0; c < cs.Count; c++)
        {
            if (cs.Id[c] < 0 || cs.State[c] == CourierState.Ended || cs.ShiftEnd[c] <= now) continue;
            _free[m] = Math.Max(now, Math.Max(cs.FreeAt[c], cs.ShiftStart[c]));
            _x[m] = cs.X[c]; _y[m] = cs.Y[c]; _end[m] = cs.ShiftEnd[c];
            _heap[m] = m;
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
            if (++queued > QueueLimit) break;
            int osite = os.Site[o];
            double ox = s.Sites.X[osite], oy = s.Sites.Y[osite];
            while (m > 0)
            {
                int k = _heap[0];
                double pickup = Math.Max(os.ReadyAt[o], _free[k] + travel.Minutes(_x[k], _y[k], ox, oy) + halfP);
                if (pickup > _end[k])
                {
                    _heap[0] = _heap[--m];
                    SiftDown(0, m);
                    continue;
                }
                // LowerBoundDrop = ready + half pickup + leg + half drop-off: the same leg from the pickup.
                double drop = pickup + (s.LowerBoundDrop[o] - os.ReadyAt[o]);
                _free[k] = drop + halfD;
                _x[k] = os.DropX[o]; _y[k] = os.DropY[o];
                SiftDown(0, m);
                break;
            }
            if (m == 0) return new Estimate(double.PositiveInfinity, double.PositiveInfinity);
        }

        double ready = readyAt + kitchenLate;
        double best = double.PositiveInfinity;
        for (int h = 0; h < m; h++)
        {
            int i = _heap[h];
            double pickup = Math.Max(ready, _free[i] + travel.Minutes(_x[i], _y[i], sx, sy) + halfP);
            if (pickup > _end[i] || pickup >= best) continue;
            best = pickup;
            if (best <= ready) break; // no courier picks up before the food is ready: the rest cannot do better
        }
        if (double.IsPositiveInfinity(best)) return new Estimate(double.PositiveInfinity, double.PositiveInfinity);
        double leg = travel.Minutes(sx, sy, dropX, dropY);
        return new Estimate(best + halfP + leg + halfD, best - ready);
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
