using Dispatch.Engine;
using Dispatch.Model;

namespace Dispatch.State;

/// <summary>
/// Everything the engine knows, in dense struct-of-arrays stores, plus the id maps used at the
/// edge (events and queries) and never inside the tick.
/// </summary>
internal sealed class EngineState
{
    public readonly DispatchOptions Options;
    public readonly OrderStore Orders;
    public readonly CourierStore Couriers;
    public readonly SiteStore Sites;
    /// <summary>Order id to where the order is: a hot slot of <see cref="Orders"/> (0 or more), or <c>~h</c> (below 0)
    /// for entry h of <see cref="History"/> once it finished and left every route.</summary>
    public readonly Dictionary<long, int> OrderIndex;
    public readonly Dictionary<long, int> CourierIndex;
    public readonly Dictionary<long, int> SiteIndex;

    /// <summary>Orders with status Open.</summary>
    public readonly IndexSet OpenOrders;

    /// <summary>Delivered and cancelled orders still retained, compactly, out of the hot store (see <see cref="FinishedOrders"/>).</summary>
    public readonly FinishedOrders History;

    /// <summary>Delivered and cancelled orders still held, as <see cref="History"/> entries, oldest first: forgotten when their retention ends.</summary>
    public readonly RetentionQueue Finished;

    /// <summary>Couriers gone off shift, oldest first: freed when their retention ends with nothing planned.</summary>
    public readonly RetentionQueue Ended;

    /// <summary>Whether a courier slot is in <see cref="Ended"/> (so it is queued once).</summary>
    public bool[] EndedQueued;

    /// <summary>The drop-off time promised at placement (+infinity: none made). The promise model writes it
    /// (<c>Promises.OrderPromises</c>); the MDRP planner reads it as the order's soft deadline.</summary>
    public double[] PromisedDrop;

    /// <summary>The planner's provisional matching from its last tick (read by promise quotes).</summary>
    public readonly ProvisionalTrips Provisional = new();

    /// <summary>Earliest drop-off an order could have: ready + half pickup + direct travel + half drop-off.</summary>
    public double[] LowerBoundDrop;

    /// <summary>Id of the courier an order was released from (-1 if none), and why: reported when it is re-committed.
    /// An id, not a slot: the courier may have left the engine since.</summary>
    public long[] ReleasedFrom;
    public PlanChangeReason[] ReleaseReason;

    /// <summary>The drop-off time last told to the caller (at commit or in an ETA change): ETA moves are measured against it, so small moves that add up are reported.</summary>
    public double[] ReportedDrop;

    /// <summary>Plan changes made by events, reported at the next tick.</summary>
    public PlanChange[] PendingChanges;
    public int PendingCount;

    /// <summary>Orders ever placed, and orders by status (delivered and cancelled ones counted for good,
    /// after their slots are freed too).</summary>
    public int Known, Open, Assigned, PickedUp, Delivered, Cancelled, Returned;

    /// <summary>Exceptions reported (see <see cref="ExceptionCounts"/>): counted for the engine's life.</summary>
    public int FailedDeliveries, WrongDeliveries, Remakes, RemadeDelivered, OrderChanges;

    /// <summary>True under the general profile: per-order time windows and services are honoured.</summary>
    public readonly bool OrderWindows;

    /// <summary>What route timing reads of the orders (per-order services and earliest drop-offs under the
    /// general profile, the options' fixed services otherwise). Built per use: the store's arrays grow.</summary>
    public StopTimes Times => OrderWindows
        ? new StopTimes(Orders.ReadyAt, Orders.PickupService, Orders.DropoffService, Orders.DeliverAfter)
        : new StopTimes(Orders.ReadyAt, Options.PickupServiceMinutes, Options.DropoffServiceMinutes);

    public EngineState(DispatchOptions options)
    {
        Options = options;
        OrderWindows = options.Profile == DispatchProfile.General;
        Orders = new OrderStore(options.InitialOrderCapacity);
        Couriers = new CourierStore(options.InitialCourierCapacity, options.MaxRouteStops);
        Sites = new SiteStore(options.InitialSiteCapacity);
        OrderIndex = new Dictionary<long, int>(options.InitialOrderCapacity);
        CourierIndex = new Dictionary<long, int>(options.InitialCourierCapacity);
        SiteIndex = new Dictionary<long, int>(options.InitialSiteCapacity);
        OpenOrders = new IndexSet(options.InitialOrderCapacity);
        History = new FinishedOrders(options.InitialOrderCapacity);
        Finished = new RetentionQueue(History.Capacity);
        Ended = new RetentionQueue(options.InitialCourierCapacity);
        EndedQueued = new bool[options.InitialCourierCapacity];
        LowerBoundDrop = new double[options.InitialOrderCapacity];
        PromisedDrop = new double[options.InitialOrderCapacity];
        Provisional.EnsureCapacity(options.InitialOrderCapacity, options.InitialCourierCapacity);
        ReleasedFrom = new long[options.InitialOrderCapacity];
        ReleaseReason = new PlanChangeReason[options.InitialOrderCapacity];
        ReportedDrop = new double[options.InitialOrderCapacity];
        // Sized so that one plan change per courier between two ticks never grows it.
        PendingChanges = new PlanChange[Math.Max(64, 2 * options.InitialCourierCapacity)];
    }

    public void QueueChange(in PlanChange change)
    {
        if (PendingCount == PendingChanges.Length) Array.Resize(ref PendingChanges, PendingChanges.Length * 2);
        PendingChanges[PendingCount++] = change;
    }

    /// <summary>Delivers or cancels an order at <paramref name="at"/>: its retention starts.</summary>
    public void Finish(int o, OrderStatus terminal, double at)
    {
        SetStatus(o, terminal);
        Retain(o, at);
    }

    /// <summary>True when finished orders and couriers are kept for the engine's life (infinite retention): nothing is queued or freed.</summary>
    private bool KeepsEverything => double.IsPositiveInfinity(Options.FinishedOrderRetentionMinutes);

    /// <summary>Starts a finished order's retention at <paramref name="at"/> (nothing to queue when it is kept for good):
    /// it takes a history entry, and moves there at the next tick that finds it on no route. Outside the tick (it may grow).</summary>
    public void Retain(int o, double at)
    {
        if (KeepsEverything) return;
        int h = History.Add(Orders.Id[o], o);
        Finished.EnsureCapacity(History.Capacity);
        Finished.Push(h, at);
    }

    /// <summary>
    /// Moves the finished orders no route stop names any more into <see cref="History"/> and frees their hot slots for
    /// the next placements (ties are broken by placement sequence, never by slot, so earlier reuse decides nothing);
    /// then forgets those whose retention ended by <paramref name="now"/>. An order still named by a route stop (a
    /// drop-off confirmed before an earlier stop) stays hot and, when its window ends, waits for another, as before.
    /// Allocates nothing: the queue and the lists are sized with the history, dictionary writes overwrite keys.
    /// </summary>
    public void RetireFinished(double now)
    {
        if (KeepsEverything) return;
        MoveFinished();
        double keep = Options.FinishedOrderRetentionMinutes;
        for (int n = Finished.Count; n > 0; n--)
        {
            var (h, at) = Finished.Peek();
            if (at + keep > now) break;
            Finished.Pop();
            // Still hot after MoveFinished: a route names it.
            if (History.Hot[h] >= 0) { Finished.Push(h, now); continue; }
            OrderIndex.Remove(History.Id[h]);
            History.Free(h);
        }
    }

    /// <summary>Moves every waiting finished order that is on no route into its history entry (see <see cref="RetireFinished"/>).</summary>
    private void MoveFinished()
    {
        var waiting = History.Waiting;
        int kept = 0;
        for (int i = 0; i < waiting.Length; i++)
        {
            int h = waiting[i];
            int o = History.Hot[h];
            if (o < 0) continue; // abandoned: its order went back to work (a wrong delivery)
            if (OnRoute(o)) { History.WaitingAt(kept++) = h; continue; }
            int c = Orders.Courier[o];
            History.Take(h, Orders, c >= 0 ? Couriers.Id[c] : -1);
            OrderIndex[History.Id[h]] = ~h;
            Orders.Free(o);
        }
        History.KeepWaiting(kept);
    }

    /// <summary>The courier goes off shift at <paramref name="at"/>: its retention starts (it leaves once that ends with nothing planned).</summary>
    public void EndCourier(int c, double at)
    {
        Couriers.State[c] = CourierState.Ended;
        Couriers.EndedAt[c] = at;
        QueueEnded(c, at);
    }

    private void QueueEnded(int c, double at)
    {
        if (KeepsEverything || EndedQueued[c]) return;
        EndedQueued[c] = true;
        Ended.Push(c, at);
    }

    /// <summary>
    /// Forgets the couriers off shift whose retention ended by <paramref name="now"/> with nothing planned, and frees
    /// their slots. One back on shift is dropped from the queue; one still delivering, or whose last drop-off came
    /// later, waits. Allocates nothing.
    /// </summary>
    public void RetireEnded(double now)
    {
        if (KeepsEverything) return;
        double keep = Options.FinishedOrderRetentionMinutes;
        var cs = Couriers;
        for (int n = Ended.Count; n > 0; n--)
        {
            var (c, at) = Ended.Peek();
            if (at + keep > now) break;
            Ended.Pop();
            EndedQueued[c] = false;
            if (cs.State[c] != CourierState.Ended || cs.Id[c] < 0) continue; // back on shift, or already gone
            if (cs.RouteLength(c) > 0) { QueueEnded(c, now); continue; }
            if (cs.EndedAt[c] + keep > now) { QueueEnded(c, cs.EndedAt[c]); continue; }
            CourierIndex.Remove(cs.Id[c]);
            cs.Free(c);
        }
    }

    /// <summary>Whether a stop of its courier's route still names order slot <paramref name="o"/>.</summary>
    public bool OnRoute(int o)
    {
        int c = Orders.Courier[o];
        if (c < 0) return false;
        foreach (ref readonly RouteStop r in Couriers.Route(c))
            if (r.Order == o) return true;
        return false;
    }

    public void SetStatus(int o, OrderStatus next)
    {
        switch (Orders.Status[o])
        {
            case OrderStatus.Open: Open--; OpenOrders.Remove(o); break;
            case OrderStatus.Assigned: Assigned--; break;
            case OrderStatus.PickedUp: PickedUp--; break;
            case OrderStatus.Delivered: Delivered--; break;
            case OrderStatus.Cancelled: Cancelled--; break;
            case OrderStatus.Returned: Returned--; break;
        }
        Orders.Status[o] = next;
        switch (next)
        {
            case OrderStatus.Open: Open++; OpenOrders.Add(o); break;
            case OrderStatus.Assigned: Assigned++; break;
            case OrderStatus.PickedUp: PickedUp++; break;
            case OrderStatus.Delivered: Delivered++; break;
            case OrderStatus.Cancelled: Cancelled++; break;
            case OrderStatus.Returned: Returned++; break;
        }
    }
}
