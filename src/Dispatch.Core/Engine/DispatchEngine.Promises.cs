using System.Runtime.InteropServices;
using Dispatch.Model;
using Dispatch.Promises;
using Dispatch.State;

namespace Dispatch.Engine;

/// <summary>
/// Promises: a drop-off time for every order, recorded at placement, met with probability
/// <see cref="DispatchOptions.PromiseOnTimeProbability"/>; calibrated from the engine's own deliveries; re-quoted
/// (<see cref="PlanChangeKind.Requoted"/>) when a plan change breaks one. Quoting (<see cref="QuoteDropoff"/>) and
/// learning change no dispatch decision; the promise recorded at placement does: the MDRP planner prices a drop-off past
/// it (<see cref="DispatchOptions.PromiseLatenessWeight"/>), so it serves the orders about to break their promise first.
/// </summary>
public sealed partial class DispatchEngine<TTravel>
{
    private readonly OrderPromises _promises;

    /// <summary>Re-quotes made since the engine was built (promises the plan broke, one per break).</summary>
    public long RequoteCount => _promises.Requotes;

    /// <summary>
    /// Quotes a promised drop-off time for an order not yet placed: a point estimate from what the engine knows (the
    /// couriers' committed plans, the open orders ready before it, the site's recent pickup lateness, the travel rule
    /// with its traffic picture) plus the margin its recent deliveries in the same situation needed to be met with
    /// probability <see cref="DispatchOptions.PromiseOnTimeProbability"/>; never earlier than the order's own lower
    /// bound. +infinity when no courier on shift can take it. <see cref="PlaceOrder"/> records the same quote as the
    /// order's promise (<see cref="TryGetPromise"/>). The first quote after a change (a tick, a confirmation, a courier
    /// move) simulates the queue ahead (the couriers and up to 2,048 open orders); later quotes and placements at the same
    /// now for a ready time that takes the same orders ahead reuse that simulation (see <see cref="DropoffEstimator"/>).
    /// </summary>
    public double QuoteDropoff(long siteId, double dropX, double dropY, double readyAt, double now)
    {
        RequireTime(now, "now");
        RequireTime(readyAt, "ready time of quote for site", siteId);
        RequireCoordinate(dropX, dropY, "drop-off of quote for site", siteId);
        if (!_s.SiteIndex.TryGetValue(siteId, out int site)) Throw(DispatchError.UnknownId, $"quote: unknown site {siteId}");
        return Promise(site, dropX, dropY, readyAt, self: -1, now, out _, out _);
    }

    /// <summary>The promise recorded for an order still in the engine's hot store (open, assigned, picked up, or finished
    /// but still on a route); false for an unknown id or one already moved to the finished history.</summary>
    public bool TryGetPromise(long orderId, out OrderPromise promise)
    {
        if (!_s.OrderIndex.TryGetValue(orderId, out int o) || o < 0) { promise = default; return false; }
        var p = _promises;
        promise = new OrderPromise(orderId, p.Current[o], _s.PromisedDrop[o], p.Point[o], _s.Orders.PlannedDrop[o], p.Bucket[o]);
        return true;
    }

    /// <summary>For tests (the estimator against its oracle): the state a quote reads, the site's pickup lateness it adds,
    /// and how many quotes reused a kept queue simulation or started one.</summary>
    internal EngineState StateForQuotes => _s;
    internal double KitchenLateness(int site) => _promises.SiteLateness[site];
    internal (long Reused, long Started, int Held) QueueRuns => (_promises.Estimator.Reused, _promises.Estimator.Started, _promises.Estimator.RunsHeld);

    /// <summary>For tests that compare with an engine from before the demand bands (snapshot format 9 and older): off, every
    /// promise is made in demand band 0, as that engine made them in its wait band alone.</summary>
    internal bool ReadsDemandStillToCome { get; set; } = true;

    /// <summary>For tests: the recent placements the demand still to come is read from.</summary>
    internal int RecentPlacementsHeld => _promises.Recent.Count;

    /// <summary>For tests: the point estimate and wait behind <see cref="QuoteDropoff"/> (same estimator, same inputs).</summary>
    internal DropoffEstimator.Estimate QuoteEstimate(long siteId, double dropX, double dropY, double readyAt, double now)
    {
        int site = _s.SiteIndex[siteId];
        _promises.EnsureCapacity(_s.Orders.Capacity, _s.Sites.Id.Length);
        return _promises.Estimator.Run(_s, ref _travel, site, dropX, dropY, readyAt, _promises.SiteLateness[site], self: -1, now);
    }

    /// <summary>The promise for an order at <paramref name="site"/>: point estimate plus calibrated margin, not before
    /// the order's lower bound. <paramref name="self"/> is its slot when already placed.</summary>
    private double Promise(int site, double dropX, double dropY, double readyAt, int self, double now, out double point, out int bucket)
    {
        var p = _promises;
        p.EnsureCapacity(_s.Orders.Capacity, _s.Sites.Id.Length);
        var est = p.Estimator.Run(_s, ref _travel, site, dropX, dropY, readyAt, p.SiteLateness[site], self, now);
        point = est.Dropoff;
        double ahead = ReadsDemandStillToCome ? PromiseSituation.PerCourier(p.Recent.OrdersAhead(now, readyAt - now), est.CouriersOnShift) : 0;
        bucket = PromiseSituation.Bucket(est.Wait, ahead);
        if (double.IsPositiveInfinity(point)) { point = double.NaN; return double.PositiveInfinity; }
        double lowerBound = readyAt + Options.PickupServiceMinutes * 0.5
            + _travel.Minutes(_s.Sites.X[site], _s.Sites.Y[site], dropX, dropY) + Options.DropoffServiceMinutes * 0.5;
        return Math.Max(lowerBound, point + p.Margin(bucket, Options.PromiseOnTimeProbability, now));
    }

    /// <summary>The engine's state changed other than by an order placed: the quote's queue simulations kept from
    /// earlier quotes no longer hold (see <see cref="DropoffEstimator"/>). Every public change but a placement calls it
    /// first; a placement only adds an order at the end of the open-order set, which a kept simulation takes in when it
    /// is next asked.</summary>
    private void ForgetQueue() => _promises.Estimator.Forget();

    /// <summary>At placement (slot <paramref name="o"/> just stored): the order's promise, with what it was made of.</summary>
    private void RecordPromise(int o, double now)
    {
        var os = _s.Orders;
        _promises.EnsureCapacity(_s.Orders.Capacity, _s.Sites.Id.Length);
        double promise = Promise(os.Site[o], os.DropX[o], os.DropY[o], os.ReadyAt[o], o, now, out double point, out int bucket);
        _promises.Record(o, point, bucket, promise, os.ReadyAt[o]);
        _promises.Recent.Note(now, os.ReadyAt[o] - now);
        _s.PromisedDrop[o] = promise;
    }

    /// <summary>At a confirmed pickup: how late it came against its plan teaches the site's lateness.</summary>
    private void LearnPickup(int o, double at) => _promises.LearnPickup(_s.Orders.Site[o], at - _s.Orders.PlannedPickup[o]);

    /// <summary>At a confirmed drop-off: its drift from the drop-off planned when it was committed teaches the
    /// calibration, and its commit error, learnt at the commit (<see cref="CheckPromises"/>), becomes its whole error.</summary>
    private void LearnDropoff(int o, double at) => _promises.LearnDropoff(o, _s.Orders.Seq[o], at, _promises.SlipNow(o, _s.Orders.ReadyAt[o]));

    /// <summary>A plan change moved order <paramref name="o"/> for <paramref name="reason"/>: a re-quote names it.</summary>
    private void NotePlanReason(int o, PlanChangeReason reason) => _promises.Reason[o] = reason;

    /// <summary>
    /// After the tick's plan: every order whose planned drop-off now lies after its standing promise gets a new one,
    /// the planned drop-off plus <see cref="DispatchOptions.EtaChangeThresholdMinutes"/> (so plan jitter below the
    /// ETA threshold does not break it again), reported once as <see cref="PlanChangeKind.Requoted"/> with the reason
    /// of the change that moved it (<see cref="PlanChangeReason.Backlog"/> when its first plan already ended late).
    /// Reported in placement order. The same scan learns the commit error of every order the plan has committed since
    /// the last check (first seen assigned or picked up), also in placement order, and the kitchen's slip of every order
    /// whose promised ready time has come due (open, assigned or picked up; not a re-made one: a re-make is the door's
    /// failure, not the kitchen's), in placement order before the commits. A scan of the order columns into
    /// preallocated scratch: no allocation.
    /// </summary>
    private void CheckPromises<TSink>(double now, ref TSink sink) where TSink : IAssignmentSink
    {
        var os = _s.Orders;
        var p = _promises;
        var current = p.Current;
        int n = 0, committed = 0, due = 0;
        for (int o = 0; o < os.Count; o++)
        {
            var st = os.Status[o];
            if (st != OrderStatus.Open && st != OrderStatus.Assigned && st != OrderStatus.PickedUp) continue;
            // NaN (due already, or no promised ready time) compares false.
            if (p.ReadyPromised[o] <= now && double.IsNaN(p.Slip[o]))
            {
                if (os.Remakes[o] > 0) p.Slip[o] = 0;
                else
                {
                    p.Due[due] = o;
                    p.DueSeq[due] = os.Seq[o];
                    due++;
                }
            }
            if (st == OrderStatus.Open) continue;
            if (double.IsNaN(p.CommitDrop[o]))
            {
                p.Committed[committed] = o;
                p.CommittedSeq[committed] = os.Seq[o];
                committed++;
            }
            // NaN and +infinity promises (none made) compare false: never re-quoted.
            if (!(os.PlannedDrop[o] > current[o]) || !double.IsFinite(current[o])) continue;
            p.Broken[n] = o;
            p.BrokenSeq[n] = os.Seq[o];
            n++;
        }
        if (due > 0)
        {
            p.DueSeq.AsSpan(0, due).Sort(p.Due.AsSpan(0, due));
            for (int i = 0; i < due; i++) p.LearnSlip(p.Due[i], os.ReadyAt[p.Due[i]], now);
        }
        if (committed > 0)
        {
            p.CommittedSeq.AsSpan(0, committed).Sort(p.Committed.AsSpan(0, committed));
            for (int i = 0; i < committed; i++)
            {
                int o = p.Committed[i];
                p.LearnCommit(o, p.CommittedSeq[i], os.PlannedDrop[o], p.SlipNow(o, os.ReadyAt[o]));
            }
        }
        if (n == 0) return;
        p.BrokenSeq.AsSpan(0, n).Sort(p.Broken.AsSpan(0, n));
        for (int i = 0; i < n; i++)
        {
            int o = p.Broken[i];
            double next = os.PlannedDrop[o] + Options.EtaChangeThresholdMinutes;
            var reason = p.Reason[o] == PlanChangeReason.None ? PlanChangeReason.Backlog : p.Reason[o];
            int c = os.Courier[o];
            sink.OnPlanChange(new PlanChange(PlanChangeKind.Requoted, os.Id[o], c >= 0 ? _s.Couriers.Id[c] : -1, now, reason, current[o], next));
            current[o] = next;
            p.Requotes++;
        }
    }

    // ---------------------------------------------------------------- snapshot block (versions 6 to 10)
    // One block, written after the improvement cursor and before the trailer, so other additions to the format stay
    // apart from it: the per-order promise columns (order slots), each site's pickup lateness, the calibration rings,
    // the re-quote counter; version 7 adds which ring entries are provisional (commit errors), the planned drop-off at
    // commit per order and the drift rings. Older snapshots load without the block (no promise on their orders: never
    // re-quoted, never learnt); a version-6 block loads with its rings as whole errors and no drift, so its margins are
    // what they were, and its in-flight orders' commit errors are learnt at the next tick's check. Version 8 adds each
    // order's promised ready time and learnt slip and the slip ring; an older block loads with no promised ready times
    // (those orders' slips are never learnt and count as none) and no slips, so its margins are what they were.
    // Version 9 adds the planner's provisional matching (ProvisionalTrips), which the quotes read; an older block loads
    // with none, as an engine has before its first tick. Version 10 splits the calibration's situations by the demand
    // still to come (PromiseSituation) and adds the recent placements it is read from; an older block's rings (wait
    // bands only) answer for every demand band of their wait band (ErrorQuantiles.SpreadInto), its orders' buckets are
    // those of the first demand band (same numbers), and it loads with no recent placements, so the demand still to come
    // reads as none until placements fill the window again.

    private void WritePromiseBlock(BinaryWriter w)
    {
        var p = _promises;
        int n = _s.Orders.Count;
        var orders = new ColumnWriter(w, n);
        orders.Column(p.Point); orders.Column(_s.PromisedDrop); orders.Column(p.Current); orders.Column(p.Bucket); orders.Column(p.Reason);
        int sites = _s.Sites.Count;
        w.Write(sites);
        new ColumnWriter(w, sites).Column(p.SiteLateness);
        var cal = p.Calibration;
        w.Write(cal.Buckets);
        WriteRings(w, cal);
        w.Write(p.Requotes);
        // ---- version 7: which ring entries are provisional, and the drifts
        new ColumnWriter(w, cal.Owner.Length).Column(cal.Owner);
        orders.Column(p.CommitDrop);
        WriteRings(w, p.Drift);
        // ---- version 8: the kitchens' slips
        orders.Column(p.ReadyPromised); orders.Column(p.Slip);
        WriteRings(w, p.Slips);
        new ColumnWriter(w, p.Slips.Owner.Length).Column(p.Slips.Owner); // when each slip was learnt
        // ---- version 9: the planner's provisional matching, which the quotes read
        WriteProvisional(w);
        // ---- version 10: the recent placements (the demand still to come), as two blocks: at a city's peak the window
        // holds thousands, and a server's snapshot pauses its engine thread while it copies them
        var recent = p.Recent;
        w.Write(recent.Count);
        w.Write(MemoryMarshal.AsBytes(recent.Times));
        w.Write(MemoryMarshal.AsBytes(recent.Leads));
    }

    /// <summary>Reads the recent placements <see cref="WritePromiseBlock"/> wrote, as they were (none let go), refusing a
    /// time or lead that is not a number or a placement before the one written before it (the file is damaged).</summary>
    private void ReadRecentPlacements(BinaryReader r)
    {
        var recent = _promises.Recent;
        recent.Clear();
        int n = Count(r, "recent placements");
        var times = new double[n];
        var leads = new double[n];
        ReadColumn(r, times.AsSpan());
        ReadColumn(r, leads.AsSpan());
        for (int i = 0; i < n; i++)
        {
            double at = times[i], lead = leads[i];
            if (!recent.TryRestore(at, lead))
                throw new InvalidDataException($"snapshot: recent placement {i} at {at} with lead {lead} (placements are numbers, oldest first)");
        }
    }

    /// <summary>The provisional matching (<see cref="ProvisionalTrips"/>) as lists: the couriers with a trip and their
    /// trips, then the open orders in those trips with their courier. Only what holds is written (not the stamps, nor
    /// what earlier ticks left in the columns), so an engine and its restored copy write the same bytes.</summary>
    private void WriteProvisional(BinaryWriter w)
    {
        var plan = _s.Provisional;
        int couriers = _s.Couriers.Count, trips = 0;
        for (int c = 0; c < couriers; c++) if (plan.HasTrip(c)) trips++;
        w.Write(trips);
        for (int c = 0; c < couriers; c++)
        {
            if (!plan.HasTrip(c)) continue;
            w.Write(c); w.Write(plan.Site[c]); w.Write(plan.Count[c]);
            w.Write(plan.Pickup[c]); w.Write(plan.Ready[c]); w.Write(plan.LastX[c]); w.Write(plan.LastY[c]); w.Write(plan.LastDrop[c]);
        }
        var open = _s.OpenOrders.Items;
        int held = 0;
        foreach (int o in open) if (plan.Holds(o)) held++;
        w.Write(held);
        foreach (int o in open)
        {
            if (!plan.Holds(o)) continue;
            w.Write(o); w.Write(plan.OrderCourier[o]);
        }
    }

    /// <summary>Reads what <see cref="WriteProvisional"/> wrote, refusing slots out of range (the file is damaged).</summary>
    private void ReadProvisional(BinaryReader r)
    {
        var plan = _s.Provisional;
        plan.EnsureCapacity(_s.Orders.Capacity, _s.Couriers.Id.Length);
        plan.Clear();
        int couriers = _s.Couriers.Count, sites = _s.Sites.Count, orders = _s.Orders.Count;
        int trips = Count(r, "provisional trips");
        for (int i = 0; i < trips; i++)
        {
            int c = r.ReadInt32(), site = r.ReadInt32(), count = r.ReadInt32();
            if (c < 0 || c >= couriers || site < 0 || site >= sites || count < 1)
                throw new InvalidDataException($"snapshot: provisional trip {i} names courier slot {c}, site slot {site}, {count} orders; it holds {couriers} couriers and {sites} sites");
            plan.CourierStamp[c] = plan.Stamp;
            plan.Site[c] = site; plan.Count[c] = count;
            plan.Pickup[c] = r.ReadDouble(); plan.Ready[c] = r.ReadDouble();
            plan.LastX[c] = r.ReadDouble(); plan.LastY[c] = r.ReadDouble(); plan.LastDrop[c] = r.ReadDouble();
        }
        int held = Count(r, "orders in provisional trips");
        for (int i = 0; i < held; i++)
        {
            int o = r.ReadInt32(), c = r.ReadInt32();
            if (o < 0 || o >= orders || c < 0 || c >= couriers || !plan.HasTrip(c))
                throw new InvalidDataException($"snapshot: order slot {o} in the provisional trip of courier slot {c}, which has none or is out of range");
            plan.OrderStamp[o] = plan.Stamp;
            plan.OrderCourier[o] = c;
        }
    }

    /// <summary>A ring set's errors, counts and next slots, as <see cref="ReadRings"/> reads them.</summary>
    private static void WriteRings(BinaryWriter w, ErrorQuantiles q)
    {
        new ColumnWriter(w, q.Errors.Length).Column(q.Errors);
        var counts = new ColumnWriter(w, q.Counts.Length);
        counts.Column(q.Counts); counts.Column(q.Next);
    }

    private void ReadPromiseBlock(BinaryReader r, int version)
    {
        var p = _promises;
        p.EnsureCapacity(_s.Orders.Capacity, _s.Sites.Id.Length);
        int n = _s.Orders.Count;
        var orders = new ColumnReader(r, n);
        orders.Column(p.Point); orders.Column(_s.PromisedDrop); orders.Column(p.Current); orders.Column(p.Bucket); orders.Column(p.Reason);
        int sites = Count(r, "sites with a pickup lateness");
        if (sites != _s.Sites.Count) throw new InvalidDataException($"snapshot: pickup lateness of {sites} sites; it holds {_s.Sites.Count}");
        new ColumnReader(r, sites).Column(p.SiteLateness);
        // Before version 10 the situations are the wait bands alone: read as they are, then spread over the demand bands.
        bool waitOnly = version < 10;
        var cal = waitOnly ? new ErrorQuantiles(PromiseSituation.WaitBuckets) : p.Calibration;
        var drift = waitOnly ? new ErrorQuantiles(PromiseSituation.WaitBuckets) : p.Drift;
        int buckets = r.ReadInt32();
        if (buckets != cal.Buckets) throw new InvalidDataException($"snapshot: promise calibration of {buckets} buckets; this engine reads {cal.Buckets} from a version-{version} snapshot");
        ReadRings(r, cal, "promise calibration");
        p.Requotes = r.ReadInt64();
        if (version >= 7)
        {
            new ColumnReader(r, cal.Owner.Length).Column(cal.Owner);
            orders.Column(p.CommitDrop);
            ReadRings(r, drift, "promise drift");
        }
        else
        {
            cal.Owner.AsSpan().Fill(-1); // whole errors, learnt at delivery
            p.CommitDrop.AsSpan(0, n).Fill(double.NaN);
            ClearRings(drift);
        }
        if (waitOnly)
        {
            cal.SpreadInto(p.Calibration);
            drift.SpreadInto(p.Drift);
        }
        if (version >= 8)
        {
            orders.Column(p.ReadyPromised); orders.Column(p.Slip);
            ReadRings(r, p.Slips, "kitchen slip");
            new ColumnReader(r, p.Slips.Owner.Length).Column(p.Slips.Owner);
        }
        else
        {
            p.ReadyPromised.AsSpan(0, n).Fill(double.NaN);
            p.Slip.AsSpan(0, n).Fill(double.NaN);
            ClearRings(p.Slips);
        }
        // Older snapshots: no provisional matching until the first tick makes one.
        if (version >= 9) ReadProvisional(r);
        else ForgetProvisionalMatching();
        if (version >= 10) ReadRecentPlacements(r);
        else p.Recent.Clear();
        p.RingsChanged();
    }

    private static void ReadRings(BinaryReader r, ErrorQuantiles q, string what)
    {
        new ColumnReader(r, q.Errors.Length).Column(q.Errors);
        var counts = new ColumnReader(r, q.Counts.Length);
        counts.Column(q.Counts); counts.Column(q.Next);
        for (int i = 0; i < q.Counts.Length; i++)
            if (q.Counts[i] < 0 || q.Counts[i] > ErrorQuantiles.Window || q.Next[i] < 0 || q.Next[i] >= ErrorQuantiles.Window)
                throw new InvalidDataException($"snapshot: {what} ring {i} holds {q.Counts[i]} errors, next {q.Next[i]}");
    }

    private static void ClearRings(ErrorQuantiles q)
    {
        q.Owner.AsSpan().Fill(-1);
        Array.Clear(q.Errors);
        Array.Clear(q.Counts);
        Array.Clear(q.Next);
    }

    /// <summary>For tests that compare with a snapshot from before promises: this engine forgets its own (promises,
    /// pickup lateness, calibration, re-quote count) as if it had been loaded from such a snapshot.</summary>
    internal void ForgetPromiseHistory()
    {
        ForgetPromises();
        var p = _promises;
        Array.Clear(p.SiteLateness);
        ClearRings(p.Calibration);
        ClearRings(p.Drift);
        ClearRings(p.Slips);
        p.Recent.Clear();
        p.RingsChanged();
        p.Requotes = 0;
    }

    /// <summary>No provisional matching, as a snapshot before format 9 loads (and, for tests that compare with one, the
    /// engine that ran on).</summary>
    internal void ForgetProvisionalMatching()
    {
        _s.Provisional.EnsureCapacity(_s.Orders.Capacity, _s.Couriers.Id.Length);
        _s.Provisional.Clear();
    }

    /// <summary>A snapshot from before promises: its orders have none (not re-quoted, their deliveries teach nothing).</summary>
    private void ForgetPromises()
    {
        var p = _promises;
        p.EnsureCapacity(_s.Orders.Capacity, _s.Sites.Id.Length);
        int n = _s.Orders.Count;
        p.Point.AsSpan(0, n).Fill(double.NaN);
        _s.PromisedDrop.AsSpan(0, n).Fill(double.PositiveInfinity);
        p.Current.AsSpan(0, n).Fill(double.PositiveInfinity);
        p.Bucket.AsSpan(0, n).Clear();
        p.Reason.AsSpan(0, n).Clear();
        p.CommitDrop.AsSpan(0, n).Fill(double.NaN);
        p.ReadyPromised.AsSpan(0, n).Fill(double.NaN);
        p.Slip.AsSpan(0, n).Fill(double.NaN);
        ForgetProvisionalMatching();
    }
}
