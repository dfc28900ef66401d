using Dispatch.Model;
using Dispatch.State;

namespace Dispatch.Engine;

// The operator's exceptions after an order was placed: a delivery that failed at the door, an order handed to the
// wrong customer, a kitchen that changed an order (out of stock). Each is an event like the others: validated first
// (a refusal names the order and the field and changes nothing), then applied to that order and its courier only.
public sealed partial class DispatchEngine<TTravel>
{
    /// <summary>What the operator reported so far: failed and wrong deliveries, re-makes, returns, kitchen changes.</summary>
    public ExceptionCounts Exceptions => new(_s.FailedDeliveries, _s.WrongDeliveries, _s.Remakes, _s.RemadeDelivered, _s.Returned, _s.OrderChanges);

    /// <summary>Times an order was re-made (after failed or wrong deliveries); 0 for an unknown or forgotten id.</summary>
    public int RemakesOf(long orderId)
    {
        if (!_s.OrderIndex.TryGetValue(orderId, out int o)) return 0;
        return o >= 0 ? _s.Orders.Remakes[o] : _s.History.Remakes[~o];
    }

    /// <summary>
    /// The courier could not hand a picked-up order over at <paramref name="at"/> (nobody at the door, a wrong
    /// address, ...), the caller's clock reading <paramref name="now"/>. The order leaves its courier, whose route is
    /// re-planned from where it is (only that courier; ETA moves of its other orders are reported at the next tick).
    /// Then either
    /// <list type="bullet">
    /// <item>it is re-made at its site (the default): open again with the same id, ready at
    /// <paramref name="remadeReadyAt"/> or, when not given, <paramref name="at"/> plus
    /// <see cref="DispatchOptions.RemakeMinutes"/>, and dispatched again. It keeps its placement time, so its
    /// click-to-door clock runs from the customer's click and the planners' objective (lateness against the target,
    /// the starvation age) puts it ahead of fresh orders. Its time windows (general profile) are dropped: they were
    /// the first trip's, and a re-delivery that could not be planned would stay open for good. A
    /// <see cref="PlanChangeKind.Released"/> change (reason <see cref="PlanChangeReason.DeliveryFailed"/>) is
    /// reported at the next tick, and <see cref="PlanChangeKind.Reassigned"/> when a courier takes it again; or</item>
    /// <item>it is returned (<paramref name="returned"/>): the order ends as <see cref="OrderStatus.Returned"/> at
    /// <paramref name="at"/>, reported as a <see cref="PlanChangeKind.Cancelled"/> change with that reason.</item>
    /// </list>
    /// Refused (<see cref="DispatchException"/> naming the order and the field, nothing changed): an order that is not
    /// picked up (never picked up, cancelled, already delivered: a wrong delivery is
    /// <see cref="WrongOrderDelivered"/>), <paramref name="at"/> after now or before its pickup, a re-made ready time
    /// before <paramref name="at"/>, or one given for a returned order.
    /// </summary>
    public void DeliveryFailed(long orderId, double at, DeliveryFailureReason reason, double now, double? remadeReadyAt = null, bool returned = false)
    {
        ForgetQueue();
        int o = ConfirmedOrder(orderId, at, now, OrderStatus.PickedUp, "failed delivery",
            "only a picked-up order can fail at the door (an order delivered to the wrong customer: WrongOrderDelivered)");
        var os = _s.Orders;
        RequireNotBefore(orderId, "failed delivery", at, "pickup", os.PickedAt[o]);
        if (!Enum.IsDefined(reason)) Throw(DispatchError.InvalidValue, $"order {orderId}: failure reason {(int)reason} is not a DeliveryFailureReason");
        if (returned && remadeReadyAt is not null)
            Throw(DispatchError.InvalidValue, $"order {orderId}: remadeReadyAt {remadeReadyAt} given for a returned order, which is not re-made");
        double ready = RemadeReadyAt(orderId, at, remadeReadyAt);

        int c = os.Courier[o];
        long courierId = _s.Couriers.Id[c];
        SnapshotDrops(c);
        _commit.RemoveFromRoute(c, o, now);
        SyncPlanned(c);
        _s.FailedDeliveries++;
        if (returned)
        {
            _s.Finish(o, OrderStatus.Returned, at);
            _s.QueueChange(new PlanChange(PlanChangeKind.Cancelled, orderId, courierId, now, PlanChangeReason.DeliveryFailed));
        }
        else
        {
            Remake(o, ready);
            _s.ReleasedFrom[o] = courierId;
            _s.ReleaseReason[o] = PlanChangeReason.DeliveryFailed;
            _s.QueueChange(new PlanChange(PlanChangeKind.Released, orderId, courierId, now, PlanChangeReason.DeliveryFailed));
        }
        ReportEtaChanges(c, now, PlanChangeReason.DeliveryFailed);
    }

    /// <summary>
    /// A delivered order turned out to have gone to the wrong customer (reported at <paramref name="at"/>, the
    /// caller's clock reading <paramref name="now"/>): it is re-made at its site and delivered again, with the same id
    /// and the same rules as a failed delivery's re-make (<see cref="DeliveryFailed"/>: ready at
    /// <paramref name="remadeReadyAt"/> or <paramref name="at"/> plus <see cref="DispatchOptions.RemakeMinutes"/>, its
    /// placement time kept, its windows dropped). The drop-off no longer counts as delivered. No route changes: the
    /// courier finished that stop. Refused (nothing changed): an order that is not delivered, or delivered longer
    /// ago than <see cref="DispatchOptions.FinishedOrderRetentionMinutes"/> (forgotten), <paramref name="at"/> after
    /// now or before the drop-off, a re-made ready time before <paramref name="at"/>; and, rarely, an order whose
    /// drop-off was confirmed ahead of an earlier stop of its courier that is still not done (its stop is still on
    /// that route: report it once the courier's earlier stops are confirmed), or one restored from a snapshot
    /// older than format 5, which did not keep a finished order's site and drop-off.
    /// </summary>
    public void WrongOrderDelivered(long orderId, double at, double now, double? remadeReadyAt = null)
    {
        ForgetQueue();
        RequireTime(at, "wrong delivery time of order", orderId);
        RequireTime(now, "now");
        int o = OrderOf(orderId);
        if (StatusOf(o) != OrderStatus.Delivered)
            Throw(DispatchError.InvalidState, $"order {orderId} is {StatusOf(o)}; only a delivered order can have gone to the wrong customer");
        RequireNotAfterNow(orderId, "wrong delivery", at, now);
        var hs = _s.History;
        double droppedAt = o >= 0 ? _s.Orders.DroppedAt[o] : hs.DroppedAt[~o];
        RequireNotBefore(orderId, "wrong delivery", at, "drop-off", droppedAt);
        double ready = RemadeReadyAt(orderId, at, remadeReadyAt);
        if (o >= 0 && _s.OnRoute(o))
            Throw(DispatchError.InvalidState, $"order {orderId}: its drop-off was confirmed before an earlier stop of courier {_s.Couriers.Id[_s.Orders.Courier[o]]} that is still not done; report the wrong delivery once that courier's earlier stops are confirmed");
        if (o < 0 && hs.Site[~o] < 0)
            Throw(DispatchError.InvalidState, $"order {orderId} was restored from a snapshot older than format 5, which did not keep its site and drop-off; it cannot be re-made");

        if (o >= 0)
        {
            // Still hot (the first tick after its drop-off has not moved it yet, or finished orders are kept for
            // good): its history entry, if any, is abandoned and the slot simply goes back to work.
            if (!double.IsPositiveInfinity(Options.FinishedOrderRetentionMinutes))
            {
                var waiting = hs.Waiting;
                for (int i = 0; i < waiting.Length; i++)
                    if (hs.Hot[waiting[i]] == o) { hs.Abandon(waiting[i]); break; }
            }
        }
        else
        {
            // In the history: back into a hot slot with what the history kept. A new placement sequence number (ties
            // go to earlier placements), not a new Known: it is the same order.
            int h = ~o;
            var req = new OrderRequest(orderId, _s.Sites.Id[hs.Site[h]], hs.DropX[h], hs.DropY[h], hs.PlacedAt[h], ready, hs.Size[h]);
            int remakes = hs.Remakes[h];
            o = _s.Orders.Add(req, hs.Site[h], Options.PickupServiceMinutes, Options.DropoffServiceMinutes);
            GrowIfNeeded();
            _s.Provisional.Forget(o); // a reused slot (see PlaceOrder)
            var os = _s.Orders;
            os.Status[o] = OrderStatus.Delivered; // counted as delivered until Remake moves it to open
            os.Remakes[o] = remakes;
            os.PickedAt[o] = hs.PickedAt[h]; os.DroppedAt[o] = hs.DroppedAt[h];
            _s.OrderIndex[orderId] = o;
            hs.Abandon(h);
        }
        _s.WrongDeliveries++;
        _s.ReleasedFrom[o] = -1;
        Remake(o, ready);
    }

    /// <summary>
    /// The kitchen changed an order before pickup (an item out of stock): a new ready time, a smaller size, or both,
    /// reported at <paramref name="now"/>. A new ready time takes the same path as <see cref="ChangeReadyTime"/>: only
    /// this order's courier is re-timed (if it is assigned), ETA moves reported with reason
    /// <see cref="PlanChangeReason.OrderChanged"/>. A smaller size frees room on its courier for later plans. If the
    /// customer then cancels, <see cref="CancelOrder"/> frees the courier as for any cancellation. Refused (nothing
    /// changed): neither field given, an order not open nor assigned (picked up, finished), a ready time before the
    /// placement, a size below 1 or above the order's current size (an order only shrinks here; cancel and place again
    /// to grow it).
    /// </summary>
    public void ChangeOrder(long orderId, double? newReadyAt, int? newSize, double now)
    {
        ForgetQueue();
        RequireTime(now, "now");
        if (newReadyAt is null && newSize is null)
            Throw(DispatchError.InvalidValue, $"order {orderId}: a change needs newReadyAt or newSize");
        if (newReadyAt is double r) RequireTime(r, "newReadyAt of order", orderId);
        int o = OrderOf(orderId);
        var st = StatusOf(o);
        if (st != OrderStatus.Open && st != OrderStatus.Assigned)
            Throw(DispatchError.InvalidState, $"order {orderId} is {st}; only an open or assigned order can change (before pickup)");
        var os = _s.Orders;
        if (newReadyAt is double ready && ready < os.PlacedAt[o])
            Throw(DispatchError.InvalidValue, $"order {orderId}: newReadyAt {ready} is before its placement time {os.PlacedAt[o]}");
        if (newSize is int size && (size < 1 || size > os.Size[o]))
            Throw(DispatchError.InvalidValue, $"order {orderId}: newSize {size} must be from 1 to its current size {os.Size[o]} (an order only shrinks; cancel and place again to grow it)");

        _s.OrderChanges++;
        if (newSize is int n) os.Size[o] = n;
        if (newReadyAt is double t) SetReadyTime(o, t, now, PlanChangeReason.OrderChanged);
    }

    /// <summary>The ready time of a re-made order: as given (not before the report), or the report plus the option.</summary>
    private double RemadeReadyAt(long orderId, double at, double? given)
    {
        if (given is not double t) return at + Options.RemakeMinutes;
        RequireTime(t, "remadeReadyAt of order", orderId);
        if (t < at) Throw(DispatchError.InvalidValue, $"order {orderId}: remadeReadyAt {t} is before the report at={at}; a kitchen re-makes an order after it hears of it");
        return t;
    }

    /// <summary>Puts a hot order (on no route any more) back to open, re-made and ready at <paramref name="ready"/>.</summary>
    private void Remake(int o, double ready)
    {
        var os = _s.Orders;
        os.Courier[o] = -1;
        os.ReadyAt[o] = ready;
        os.PickedAt[o] = double.NaN; os.DroppedAt[o] = double.NaN;
        os.PlannedPickup[o] = double.NaN; os.PlannedDrop[o] = double.NaN;
        os.PickupBy[o] = double.PositiveInfinity; os.DeliverAfter[o] = 0; os.DeliverBy[o] = double.PositiveInfinity;
        os.Remakes[o]++;
        _s.ReportedDrop[o] = double.NaN;
        SetLowerBound(o);
        _s.Remakes++;
        _s.SetStatus(o, OrderStatus.Open);
    }
}
