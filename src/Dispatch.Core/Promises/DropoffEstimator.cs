using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Promises;

/// <summary>
/// The point estimate of an order's drop-off from what the engine knows before the order is in a plan: a short
/// simulation of the queue. Every courier on shift (or starting) is free at the end of its committed plan (where and
/// when), or, when the MDRP planner's last tick matched it to a trip it did not send yet (<see cref="State.ProvisionalTrips"/>),
/// at the end of that trip, whose orders go first whatever their ready time: the planner serves them next; the other
/// open orders whose food is ready no later than this one's go first, each taken by the courier free
/// earliest (which then ends at that order's drop-off); this order then goes with the courier that can pick it up
/// first. Its food is expected ready at the ready time plus the site's recent pickup lateness. Travel is the
/// engine's travel rule, so the known traffic picture is in it.
/// Bundles as the planner builds them: an order joins the trip last started from its own site (up to
/// <see cref="Engine.DispatchOptions.MaxBundleSize"/> orders whose ready times lie within
/// <see cref="Engine.DispatchOptions.BundleReadyWindowMinutes"/>) when that drops it off no later than a courier of its own
/// would; the trip's courier is then free later by the added drop-off. Without this the simulation serves a queue one
/// order per courier trip, which is not what the planner does when couriers are short (it bundles most then, since a
/// freed courier is worth most), and overstated the wait of long queues about twofold on courier-short traces.
/// What the simulation still leaves out (the planner's order of service beyond its current matching, re-planning) is what
/// the calibration learns
/// (<see cref="ErrorQuantiles"/>).
/// Read-only on the engine's state and allocation-free once its buffers fit the couriers: quoting decides nothing.
/// <para>
/// Kept between quotes (the simulations are <see cref="QueueRun"/>s): a simulation depends on the quoted order only
/// through which open orders are ready no later than it, so one run answers every ready time that takes the same
/// orders, and the placements of a busy minute, which only add orders at the end of the open-order set, continue it
/// rather than start again. Every other change to the engine (a tick, a confirmation, a courier's move, a cancel, new
/// travel times, a different now) makes the engine call <see cref="Forget"/>, and the next quote starts afresh. Each
/// answer is the one a simulation from scratch gives, to the bit (tests hold it to a copy of the straightforward one).
/// </para>
/// </summary>
internal sealed class DropoffEstimator
{
    /// <summary>Most orders ahead the queue simulation takes (see <see cref="QueueRun.Advance"/>).</summary>
    public const int QueueLimit = 2048;

    /// <summary>Couriers a queued order is matched among (the heap's top five levels: among the first free, roughly).</summary>
    public const int NearCandidates = 31;

    /// <summary>Most runs kept: about one per distinct ready time quoted in a minute (a placement's ready time is its
    /// kitchen's minutes away, so a busy minute quotes a few dozen in whole minutes).</summary>
    public const int MaxRuns = 32;

    /// <summary>Bytes the kept runs may hold between them (one run is kept whatever its size): a run holds seven columns
    /// per courier, two per site and its trips, about 0.36 MB in a city of 5,000 couriers and 2,500 sites (all 32 runs
    /// fit) and 1.4 MB at 25,000 couriers and 12,500 sites (22 runs fit). Memory against hits: past the budget the least
    /// recently used run is simulated afresh for the next ready time.</summary>
    public const long RunBytesBudget = 32L << 20;

    /// <summary>What a quote found: the point estimate of the drop-off and the expected wait for a courier after the
    /// food is ready (its situation); +infinity when no courier on shift can take the order; and the couriers whose shift
    /// has started and not ended (the supply in its situation).</summary>
    public readonly record struct Estimate(double Dropoff, double Wait, int CouriersOnShift);

    /// <summary>The couriers as every run starts (heap built), for the version and now it was made at.</summary>
    private readonly QueueRun _start = new();

    private QueueRun[] _runs = new QueueRun[4];
    private int _runCount;

    /// <summary>Changes of the engine's state other than orders placed (see <see cref="Forget"/>).</summary>
    private long _version;

    /// <summary>Quotes made (orders the runs by last use).</summary>
    private long _quotes;

    /// <summary>The now of the last quote: a run answers only at its own now, so a new one makes every kept run useless.</summary>
    private double _lastNow = double.NaN;

    /// <summary>Quotes answered by a kept run, and runs started: what the reuse achieves (tests and benchmarks).</summary>
    public long Reused { get; private set; }
    public long Started { get; private set; }

    /// <summary>Runs holding columns (each up to a few MB at city scale).</summary>
    public int RunsHeld => _runCount;

    /// <summary>The engine's state changed other than by an order placed at the end of the open-order set: no kept run
    /// holds any more.</summary>
    public void Forget() => _version++;

    /// <summary>Engine minutes a kept run may go unused before it is let go (<see cref="ReleaseIdle"/>).</summary>
    public const double IdleRunMinutes = 10;

    /// <summary>
    /// At a tick: lets go of the kept runs no quote has used for <see cref="IdleRunMinutes"/> of engine time. A run is
    /// used only at the now it was made for; after that it outlives its use only to lend its columns to the next
    /// minute's burst of placements, and the runs made in the last minutes are plenty for that. Once placements stop
    /// for ten minutes (a lull, the night), those columns (up to the 32 MB budget at city scale) are memory the open
    /// work does not need, and keeping them for longer made the engine's memory at a quiet moment depend on how busy
    /// the last hour happened to be (the soak's day-end live heap moved by up to 17 % from day to day with an hour).
    /// Not at every tick: each minute's burst would allocate them again. Allocates nothing.
    /// </summary>
    public void ReleaseIdle(double now)
    {
        int kept = 0;
        for (int i = 0; i < _runCount; i++)
        {
            var r = _runs[i];
            // A run is used only at the now it was made for (a new now moves the version), so that is its last use.
            if (r.Now < now - IdleRunMinutes) continue;
            _runs[kept++] = r;
        }
        Array.Clear(_runs, kept, _runCount - kept);
        _runCount = kept;
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
        _quotes++;
        // A run answers only at its own now, so a new now, like a change of state, makes every kept run useless. Under a
        // wall clock every quote comes at a new now: without this each would start another run (up to the budget's 32 MB)
        // that no later quote can use; forgetting them lets the next start reuse one run's columns.
        if (!now.Equals(_lastNow))
        {
            _lastNow = now;
            _version++;
        }
        var items = s.OpenOrders.Items;
        // A placed order anywhere but last in the set (not a placement's case) would be passed over in the middle of a
        // run: such a run holds for this quote only.
        bool keep = self < 0 || (items.Length > 0 && items[^1] == self);
        QueueRun? run = keep ? Find(readyAt) : null;
        if (run is null)
        {
            run = Take(s.Couriers.Count, s.Sites.Count);
            if (_start.Version != _version)
            {
                _start.Start(s, now);
                _start.Version = _version;
            }
            run.StartFrom(_start, s.Sites.Count);
            run.Version = keep ? _version : -1;
            Started++;
        }
        else Reused++;
        run.LastUsed = _quotes;
        run.Advance(s, ref travel, readyAt, self);
        return run.Answer(s, ref travel, site, dropX, dropY, readyAt, kitchenLate);
    }

    /// <summary>A kept run that answers <paramref name="readyAt"/> now, or null (a current version means this quote's now).</summary>
    private QueueRun? Find(double readyAt)
    {
        for (int i = 0; i < _runCount; i++)
        {
            var r = _runs[i];
            if (r.Version == _version && r.Lo <= readyAt && readyAt < r.Hi) return r;
        }
        return null;
    }

    /// <summary>A run to start afresh: one no longer valid, a new one while the bounds allow, else the least recently used.</summary>
    private QueueRun Take(int couriers, int sites)
    {
        QueueRun? oldest = null;
        for (int i = 0; i < _runCount; i++)
        {
            var r = _runs[i];
            if (r.Version != _version) return r;
            if (oldest is null || r.LastUsed < oldest.LastUsed) oldest = r;
        }
        // A run's columns: seven per courier, two per site, eight per trip (at most QueueLimit trips).
        long each = (long)couriers * 48 + (long)sites * 8 + QueueLimit * 52L;
        if (oldest is null || (_runCount < MaxRuns && (_runCount + 1) * each <= RunBytesBudget))
        {
            if (_runCount == _runs.Length) Array.Resize(ref _runs, Math.Min(MaxRuns, _runs.Length * 2));
            var r = new QueueRun();
            _runs[_runCount++] = r;
            return r;
        }
        return oldest;
    }
}
