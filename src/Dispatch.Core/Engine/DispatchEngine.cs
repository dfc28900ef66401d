using System.Diagnostics.CodeAnalysis;
using Dispatch.Model;
using Dispatch.Planning;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Engine;

/// <summary>
/// The dispatch engine. Feed it events (sites, orders, couriers, confirmations) as they happen and
/// call <see cref="Tick{TSink}"/> on your own clock; it decides which courier takes which orders
/// and in which sequence, and writes committed decisions into your sink. It never reads the wall
/// clock, starts no threads and is not thread-safe: drive it from one thread.
/// </summary>
/// <remarks>
/// Times are minutes on the caller's clock (any epoch, never negative); coordinates are whatever
/// <typeparamref name="TTravel"/> understands (metres for <see cref="EuclideanCeilMinutes"/>,
/// degrees for <see cref="HaversineMinutes"/>). Events validate their input and throw
/// <see cref="DispatchException"/> without changing state. The tick allocates nothing once the
/// stores have grown to the working size.
/// </remarks>
/// <typeparam name="TTravel">The travel-time rule, a struct so it is inlined.</typeparam>
public sealed partial class DispatchEngine<TTravel> where TTravel : struct, ITravelTime
{
    private readonly EngineState _s;
    // Not readonly, as in every planner: a travel rule is a struct whose Minutes need not be a readonly member, and a
    // readonly field would be copied before each call (and would drop whatever state the rule keeps).
#pragma warning disable IDE0044
    private TTravel _travel;
#pragma warning restore IDE0044
    private readonly RouteCommitter<TTravel> _commit;
    private readonly Planner<TTravel> _planner;
    private double _lastTick = double.NegativeInfinity;
    private int _orderCapacity, _courierCapacity, _siteCapacity;

    /// <summary>Creates an engine with a travel-time rule and options (defaults when null).</summary>
    public DispatchEngine(TTravel travel, DispatchOptions? options = null)
    {
        options ??= new DispatchOptions();
        options.Validate();
        Options = options;
        _travel = travel;
        _s = new EngineState(options);
        Array.Fill(_s.ReleasedFrom, -1);
        _commit = new RouteCommitter<TTravel>(_s, travel);
        _planner = Planner<TTravel>.For(_s, travel, _commit);
        _promises = new Promises.OrderPromises(options.InitialOrderCapacity, options.InitialSiteCapacity);
        RememberCapacities();
    }

    /// <summary>The options the engine was built with.</summary>
    public DispatchOptions Options { get; }

    /// <summary>The travel-time rule.</summary>
    public TTravel Travel => _travel;

    /// <summary>Order and courier counts (<see cref="EngineCounts.Couriers"/>: every courier known, gone off shift
    /// included until its retention ends; <see cref="CouriersOnShift"/> for those on shift).</summary>
    public EngineCounts Counts => new(_s.Known, _s.Open, _s.Assigned, _s.PickedUp, _s.Delivered, _s.Cancelled, _s.Couriers.Live) { Returned = _s.Returned };

    /// <summary>Order slots in use or free (the store's high-water mark): what the engine's memory follows, for tests.</summary>
    internal int OrderSlots => _s.Orders.Count;

    /// <summary>Finished orders moved out of the hot store into the history (see <see cref="FinishedOrders"/>), for
    /// tests. Scans the history.</summary>
    internal int OrdersInHistory
    {
        get
        {
            var h = _s.History;
            int n = 0;
            for (int i = 0; i < h.Count; i++) if (h.Hot[i] < 0 && h.Status[i] != OrderStatus.Unknown) n++;
            return n;
        }
    }

    /// <summary>Courier slots in use or free (the store's high-water mark), for tests.</summary>
    internal int CourierSlots => _s.Couriers.Count;

    /// <summary>Couriers on shift: their shift has started and not ended as of the last tick, and they were not sent
    /// off shift (what <see cref="CourierView.OnShift"/> says of each). Not counted: shifts that start later, couriers
    /// gone off shift (also those still delivering orders on board). Scans the couriers: for queries, not the hot path.</summary>
    public int CouriersOnShift
    {
        get
        {
            var cs = _s.Couriers;
            int n = 0;
            for (int c = 0; c < cs.Count; c++) if (cs.State[c] == CourierState.OnShift) n++;
            return n;
        }
    }

    /// <summary>Time of the last tick (negative infinity before the first).</summary>
    public double LastTick => _lastTick;

    /// <summary>General profile: improvement moves tried and applied since the engine was built (diagnostics, not in snapshots).</summary>
    internal (long Tried, long Applied) ImprovementMoves => _planner.Improver is { } i ? (i.Tried, i.Applied) : (0, 0);

    /// <summary>General profile, for tests: runs <paramref name="moves"/> improvement moves now, as a tick does after its insertions.</summary>
    internal void ImproveRoutes<TSink>(double now, int moves, ref TSink sink) where TSink : IAssignmentSink
    {
        ForgetQueue();
        _planner.Improver!.Run(now, moves, ref sink);
    }

    /// <summary>General profile, for tests: the objective the improvement moves lower, over every courier at <paramref name="now"/>.</summary>
    internal double RouteObjective(double now) => _planner.Improver!.Objective(now);

    // ---------------------------------------------------------------- events

    /// <summary>Adds a pickup site (restaurant).</summary>
    public void AddSite(long siteId, double x, double y)
    {
        ForgetQueue();
        RequireId(siteId, "site");
        RequireCoordinate(x, y, "site", siteId);
        if (_s.SiteIndex.ContainsKey(siteId)) Throw(DispatchError.DuplicateId, $"site {siteId} already exists");
        _s.SiteIndex[siteId] = _s.Sites.Add(siteId, x, y);
        GrowIfNeeded();
    }

    /// <summary>An order was placed. It is considered from the next tick on (and never before its placement time).
    /// Its time windows and service minutes (<see cref="OrderRequest"/>) are validated under every profile and
    /// honoured by the general profile only.</summary>
    public void PlaceOrder(in OrderRequest order, double now)
    {
        RequireTime(now, "now");
        RequireId(order.OrderId, "order");
        RequireTime(order.PlacedAt, "placement time of order", order.OrderId);
        RequireTime(order.ReadyAt, "ready time of order", order.OrderId);
        RequireCoordinate(order.DropX, order.DropY, "drop-off of order", order.OrderId);
        if (order.ReadyAt < order.PlacedAt)
            Throw(DispatchError.InvalidValue, $"order {order.OrderId}: ready time {order.ReadyAt} is before its placement time {order.PlacedAt}");
        if (order.Size < 1) Throw(DispatchError.InvalidValue, $"order {order.OrderId}: size {order.Size} must be at least 1");
        RequireWindows(order);
        if (!_s.SiteIndex.TryGetValue(order.SiteId, out int site)) Throw(DispatchError.UnknownId, $"order {order.OrderId}: unknown site {order.SiteId}");
        if (_s.OrderIndex.ContainsKey(order.OrderId)) Throw(DispatchError.DuplicateId, $"order {order.OrderId} already exists");

        int o = _s.Orders.Add(order, site, Options.PickupServiceMinutes, Options.DropoffServiceMinutes);
        _s.OrderIndex[order.OrderId] = o;
        GrowIfNeeded();
        _s.LowerBoundDrop[o] = order.ReadyAt + Options.PickupServiceMinutes * 0.5
            + _travel.Minutes(_s.Sites.X[site], _s.Sites.Y[site], order.DropX, order.DropY) + Options.DropoffServiceMinutes * 0.5;
        _s.Orders.Status[o] = OrderStatus.Unknown;
        _s.ReleasedFrom[o] = -1;
        _s.Provisional.Forget(o); // a reused slot: the order in it before may have been in the matching
        _s.Known++;
        _s.SetStatus(o, OrderStatus.Open);
        RecordPromise(o, now);
    }

    /// <summary>The kitchen changed an order's ready time. Committed plans are re-timed; a pickup the change puts after
    /// its courier's shift end is released to couriers on shift (reported at the next tick).</summary>
    public void ChangeReadyTime(long orderId, double readyAt, double now)
    {
        ForgetQueue();
        RequireTime(now, "now");
        RequireTime(readyAt, "ready time of order", orderId);
        int o = OrderOf(orderId);
        var os = _s.Orders;
        double placedAt = o >= 0 ? os.PlacedAt[o] : _s.History.PlacedAt[~o];
        if (readyAt < placedAt) Throw(DispatchError.InvalidValue, $"order {orderId}: ready time {readyAt} is before its placement time {placedAt}");
        var st = StatusOf(o);
        if (st != OrderStatus.Open && st != OrderStatus.Assigned)
            Throw(DispatchError.InvalidState, $"order {orderId} is {st}; its ready time can no longer change");
        // Open or assigned: in the hot store from here on.
        SetReadyTime(o, readyAt, now, PlanChangeReason.ReadyTimeChanged);
    }

    /// <summary>Sets an open or assigned order's ready time (validated by the caller) and, when assigned, re-times
    /// only its courier's route and reports the ETA moves with <paramref name="reason"/>: the one path for a
    /// kitchen's ready-time change and an out-of-stock change (<see cref="ChangeOrder"/>).</summary>
    private void SetReadyTime(int o, double readyAt, double now, PlanChangeReason reason)
    {
        var os = _s.Orders;
        DropProvisionalTripOf(o);
        os.ReadyAt[o] = readyAt;
        SetLowerBound(o);
        if (os.Status[o] == OrderStatus.Assigned)
        {
            int c = os.Courier[o];
            SnapshotDrops(c);
            RetimeFromPickup(c, o, now);
            // A pickup this re-time puts after the courier's shift end cannot stand: released now (see ReleaseUnpicked).
            // The slip rule is the re-plans' of a courier's progress, not a kitchen's: slip +infinity keeps it out.
            ReleaseUnpicked(c, now, reason, onlyBeyondHead: true, slip: double.PositiveInfinity);
            ReportEtaChanges(c, now, reason);
        }
    }

    /// <summary>An open order in the last tick's provisional matching changed (a new ready time, a cancel): the trip it
    /// is in was matched and timed for the order as it was, so its courier drops it and the trip's orders queue again
    /// until the next tick matches them afresh, as when the courier changes shift.</summary>
    private void DropProvisionalTripOf(int o)
    {
        if (_s.Provisional.Holds(o)) _s.Provisional.Drop(_s.Provisional.OrderCourier[o]);
    }

    /// <summary>Earliest drop-off the order could have from its ready time: ready + half pickup + direct travel + half drop-off.</summary>
    private void SetLowerBound(int o)
    {
        var os = _s.Orders;
        int site = os.Site[o];
        _s.LowerBoundDrop[o] = os.ReadyAt[o] + Options.PickupServiceMinutes * 0.5
            + _travel.Minutes(_s.Sites.X[site], _s.Sites.Y[site], os.DropX[o], os.DropY[o]) + Options.DropoffServiceMinutes * 0.5;
    }

    /// <summary>The order was cancelled before pickup. Its courier's plan is updated and the change reported at the next tick.</summary>
    public void CancelOrder(long orderId, double now)
    {
        ForgetQueue();
        RequireTime(now, "now");
        int o = OrderOf(orderId);
        var st = StatusOf(o);
        if (st == OrderStatus.Open)
        {
            DropProvisionalTripOf(o);
            _s.Finish(o, OrderStatus.Cancelled, now);
            return;
        }
        if (st != OrderStatus.Assigned)
            Throw(DispatchError.InvalidState, $"order {orderId} is {st}; only open or assigned orders can be cancelled");
        int c = _s.Orders.Courier[o];
        SnapshotDrops(c);
        _commit.RemoveFromRoute(c, o, now);
        SyncPlanned(c);
        _s.Finish(o, OrderStatus.Cancelled, now);
        _s.QueueChange(new PlanChange(PlanChangeKind.Cancelled, orderId, _s.Couriers.Id[c], now, PlanChangeReason.OrderCancelled));
        ReportEtaChanges(c, now, PlanChangeReason.OrderCancelled);
    }

    /// <summary>A courier's shift is known: it can be planned for from its start. A courier id may return for a new shift once its last one ended.</summary>
    public void CourierOnShift(in CourierShift shift, double now)
    {
        ForgetQueue();
        RequireTime(now, "now");
        RequireId(shift.CourierId, "courier");
        RequireCoordinate(shift.X, shift.Y, "start of courier", shift.CourierId);
        RequireTime(shift.ShiftStart, "shift start of courier", shift.CourierId);
        RequireTime(shift.ShiftEnd, "shift end of courier", shift.CourierId);
        if (shift.ShiftEnd < shift.ShiftStart) Throw(DispatchError.InvalidValue, $"courier {shift.CourierId}: shift ends ({shift.ShiftEnd}) before it starts ({shift.ShiftStart})");
        if (shift.Capacity < 1) Throw(DispatchError.InvalidValue, $"courier {shift.CourierId}: capacity {shift.Capacity} must be at least 1");
        var cs = _s.Couriers;
        if (_s.CourierIndex.TryGetValue(shift.CourierId, out int c))
        {
            if (cs.State[c] != CourierState.Ended)
                Throw(DispatchError.DuplicateId, $"courier {shift.CourierId} is already on a shift");
            // Off shift but still carrying picked-up orders: the new shift waits for their drop-offs,
            // and the answer says so rather than calling the courier on shift.
            if (cs.RouteLength(c) > 0)
                Throw(DispatchError.InvalidState, $"courier {shift.CourierId} is off shift but still carries {cs.UnfinishedStops(c)} planned stop(s) of picked-up orders; confirm their drop-offs before a new shift");
        }
        else
        {
            c = cs.Add(shift.CourierId);
            _s.CourierIndex[shift.CourierId] = c;
            GrowIfNeeded();
        }
        cs.X[c] = shift.X; cs.Y[c] = shift.Y;
        cs.FreeAt[c] = shift.ShiftStart;
        cs.ShiftStart[c] = shift.ShiftStart; cs.ShiftEnd[c] = shift.ShiftEnd;
        cs.SeenX[c] = shift.X; cs.SeenY[c] = shift.Y; cs.SeenAt[c] = double.NegativeInfinity;
        cs.Capacity[c] = shift.Capacity;
        cs.State[c] = shift.ShiftStart <= now ? CourierState.OnShift : CourierState.Scheduled;
        cs.RouteHead[c] = 0; cs.RouteEnd[c] = 0;
        _s.Provisional.Drop(c); // a reused slot, or a courier back: no trip from an earlier tick
    }

    /// <summary>The courier stops taking work now. Orders it has not picked up are released to others (reported at the next tick); picked-up ones it still delivers.</summary>
    public void CourierOffShift(long courierId, double now)
    {
        ForgetQueue();
        RequireTime(now, "now");
        int c = CourierOf(courierId);
        var cs = _s.Couriers;
        if (cs.State[c] == CourierState.Ended) Throw(DispatchError.InvalidState, $"courier {courierId} is already off shift");
        cs.ShiftEnd[c] = Math.Min(cs.ShiftEnd[c], Math.Max(now, cs.ShiftStart[c]));
        _s.EndCourier(c, now);
        _s.Provisional.Drop(c); // its provisional trip's orders queue again
        ReleaseUnpicked(c, now, PlanChangeReason.CourierOffline, onlyBeyondHead: false, slip: 0);
    }

    /// <summary>
    /// Where a courier is now. An idle courier is planned from here. A busy one is compared with where its plan has
    /// it now (on the leg to its head stop, interpolated in time from the leg's start to the head's arrival): the
    /// report is <c>delta</c> = (minutes from the report to the head stop) - (minutes from the planned position to
    /// it) off plan. Beyond <see cref="DispatchOptions.BehindToleranceMinutes"/> either way the head arrival moves by
    /// <c>delta</c>, later (behind) or earlier (ahead, never before now or the leg's departure), the rest of the route
    /// follows, ETA changes are reported at the next tick and pickups that slipped too far are released. Within the
    /// tolerance the plan stands. Because both sides of <c>delta</c> are timed by the same travel rule, a client that
    /// reports the positions its plan gives (or a courier that keeps to it) never moves it, even where the rule is not
    /// linear along the leg (a closure's detour, congestion, minutes rounded up). Needs <see cref="DispatchOptions.Replanning"/>.
    /// </summary>
    public void UpdateCourierPosition(long courierId, double x, double y, double now)
    {
        ForgetQueue();
        RequireTime(now, "now");
        RequireCoordinate(x, y, "position of courier", courierId);
        int c = CourierOf(courierId);
        var cs = _s.Couriers;
        cs.SeenX[c] = x; cs.SeenY[c] = y; cs.SeenAt[c] = now;
        if (cs.RouteLength(c) == 0) { cs.X[c] = x; cs.Y[c] = y; return; }
        if (!Options.Replanning) return;
        ref RouteStop h = ref cs.Route(c)[0];
        double f = cs.LegFraction(c, now);
        double px = cs.LegFromX[c] + (h.X - cs.LegFromX[c]) * f, py = cs.LegFromY[c] + (h.Y - cs.LegFromY[c]) * f;
        double delta = _travel.Minutes(x, y, h.X, h.Y) - _travel.Minutes(px, py, h.X, h.Y);
        if (delta > Options.BehindToleranceMinutes) Replan(c, now, x, y, h.Arrival + delta, PlanChangeReason.CourierBehind);
        else if (delta < -Options.BehindToleranceMinutes) Replan(c, now, x, y, h.Arrival + delta, PlanChangeReason.CourierAhead);
    }

    /// <summary>
    /// Travel times changed (the caller updated the traffic picture its <typeparamref name="TTravel"/>
    /// reads: congestion, a closure, rain). Every committed route is re-timed from where its courier is
    /// now; ETA changes are reported at the next tick, and not-yet-started pickups that slipped too far, or now fall
    /// after their courier's shift end, are released to other couriers. A re-timed drop-off may now miss its order's DeliverBy (general
    /// profile): it stays planned and is reported as an ETA change, however small the move. Does nothing
    /// when <see cref="DispatchOptions.Replanning"/> is off.
    /// </summary>
    public void TravelTimesChanged(double now)
    {
        ForgetQueue();
        RequireTime(now, "now");
        if (!Options.Replanning) return;
        var cs = _s.Couriers;
        for (int c = 0; c < cs.Count; c++)
        {
            if (cs.RouteLength(c) == 0) continue;
            SnapshotDrops(c);
            _commit.RetimeForTravelChange(c, now);
            FinishReplan(c, now, PlanChangeReason.Traffic);
        }
    }

    /// <summary>The courier picked the order up at <paramref name="at"/>, which is the caller's now (a simulation, a
    /// caller that is the clock). From now on the order never changes courier. Same rules as
    /// <see cref="ConfirmPickup(long, double, double)"/> with <c>now = at</c>.</summary>
    public void ConfirmPickup(long orderId, double at) => ConfirmPickup(orderId, at, now: at);

    /// <summary>
    /// The courier picked the order up at <paramref name="at"/> (a time reported by the courier's device), the caller's
    /// clock reading <paramref name="now"/>. From now on the order never changes courier. Refused with
    /// <see cref="DispatchError.InvalidValue"/> naming <c>at</c>, nothing changed: a time later than
    /// <paramref name="now"/> (a confirmation reports what has happened; a caller whose reporters' clocks may run a
    /// little ahead of its own passes its now plus that slack), before the order's placement, or more than
    /// <see cref="DispatchOptions.PickupBeforeReadyToleranceMinutes"/> before its ready time.
    /// </summary>
    public void ConfirmPickup(long orderId, double at, double now)
    {
        ForgetQueue();
        int o = ConfirmedOrder(orderId, at, now, OrderStatus.Assigned, "pickup", "only an assigned order can be picked up");
        var os = _s.Orders;
        // Impossible, not merely early: nothing is picked up before the customer placed it.
        RequireNotBefore(orderId, "pickup", at, "placement", os.PlacedAt[o]);
        // A kitchen may hand over a little early; much earlier is a wrong clock or a wrong order id.
        double earliest = os.ReadyAt[o] - Options.PickupBeforeReadyToleranceMinutes;
        if (at < earliest)
            Throw(DispatchError.InvalidValue, $"order {orderId}: pickup time at={at} is before its ready time {os.ReadyAt[o]} less the {Options.PickupBeforeReadyToleranceMinutes} min tolerance (PickupBeforeReadyToleranceMinutes)");
        LearnPickup(o, at);
        os.PickedAt[o] = at;
        _s.SetStatus(o, OrderStatus.PickedUp);
        MarkStopDone(os.Courier[o], o, StopKind.Pickup);
    }

    /// <summary>The order a confirmation names, checked: times valid, the order in <paramref name="expected"/> status,
    /// <paramref name="at"/> not after <paramref name="now"/>. Throws naming the order and the field otherwise.</summary>
    private int ConfirmedOrder(long orderId, double at, double now, OrderStatus expected, string what, string rule)
    {
        RequireTime(at, what + " time of order", orderId);
        RequireTime(now, "now");
        int o = OrderOf(orderId);
        // A finished order in the history is never the expected (assigned or picked-up) status: refused here.
        if (StatusOf(o) != expected)
            Throw(DispatchError.InvalidState, $"order {orderId} is {StatusOf(o)}; {rule}");
        RequireNotAfterNow(orderId, what, at, now);
        return o;
    }

    /// <summary>The courier handed the order over at <paramref name="at"/>, which is the caller's now. Same rules as
    /// <see cref="ConfirmDropoff(long, double, double)"/> with <c>now = at</c>.</summary>
    public void ConfirmDropoff(long orderId, double at) => ConfirmDropoff(orderId, at, now: at);

    /// <summary>The courier handed the order over at <paramref name="at"/> (a reported time), the caller's clock reading
    /// <paramref name="now"/>. Refused with <see cref="DispatchError.InvalidValue"/> naming <c>at</c>, nothing changed: a
    /// time later than <paramref name="now"/> or before the order's pickup.</summary>
    public void ConfirmDropoff(long orderId, double at, double now)
    {
        ForgetQueue();
        int o = ConfirmedOrder(orderId, at, now, OrderStatus.PickedUp, "drop-off", "only a picked-up order can be dropped off");
        var os = _s.Orders;
        RequireNotBefore(orderId, "drop-off", at, "pickup", os.PickedAt[o]);
        os.DroppedAt[o] = at;
        // A re-made order's delivery says nothing about how good its promise was (the door failed, not the plan):
        // it teaches the promise model nothing.
        if (os.Remakes[o] > 0) _s.RemadeDelivered++;
        else LearnDropoff(o, at);
        _s.Finish(o, OrderStatus.Delivered, at);
        int c = os.Courier[o];
        _s.Couriers.Delivered[c]++;
        // Delivering after its shift ended: its retention counts from its last drop-off.
        if (_s.Couriers.State[c] == CourierState.Ended) _s.Couriers.EndedAt[c] = Math.Max(_s.Couriers.EndedAt[c], at);
        MarkStopDone(c, o, StopKind.Dropoff);
        var cs = _s.Couriers;
        if (cs.RouteLength(c) == 0)
        {
            cs.X[c] = os.DropX[o]; cs.Y[c] = os.DropY[o];
            cs.FreeAt[c] = at + _s.Times.HalfDropoff(o);
        }
    }

    /// <summary>A confirmation reports what has happened: its time may not be later than the caller's now.</summary>
    private static void RequireNotAfterNow(long orderId, string what, double at, double now)
    {
        if (at > now)
            Throw(DispatchError.InvalidValue, $"order {orderId}: {what} time at={at} is later than now ({now}); a confirmation reports what has happened");
    }

    /// <summary>A confirmed step cannot come before the one it follows (a pickup before the placement, a drop-off before
    /// the pickup): refused naming both times.</summary>
    private static void RequireNotBefore(long orderId, string what, double at, string earlier, double earlierAt)
    {
        if (at < earlierAt)
            Throw(DispatchError.InvalidValue, $"order {orderId}: {what} time at={at} is before its {earlier} time {earlierAt}");
    }

    // ---------------------------------------------------------------- tick

    /// <summary>
    /// Decides at time <paramref name="now"/>: reports plan changes made by events since the last
    /// tick, then commits what must start now and leaves the rest open for later ticks (general
    /// profile: then runs up to <see cref="DispatchOptions.GeneralImprovementMovesPerTick"/> improvement
    /// moves on the not-yet-started part of the routes). Returns the number of assignments committed
    /// (route updates included). Allocates nothing in steady state.
    /// </summary>
    public int Tick<TSink>(double now, ref TSink sink) where TSink : IAssignmentSink
    {
        ForgetQueue();
        RequireTime(now, "tick time");
        if (now < _lastTick) Throw(DispatchError.InvalidValue, $"tick time {now} is before the previous tick {_lastTick}");
        double previousTick = _lastTick;
        _lastTick = now;
        _promises.Estimator.ReleaseIdle(now);

        var cs = _s.Couriers;
        for (int c = 0; c < cs.Count; c++)
        {
            var st = cs.State[c];
            if (st == CourierState.Scheduled && cs.ShiftStart[c] <= now) cs.State[c] = CourierState.OnShift;
            else if (st == CourierState.OnShift && cs.ShiftEnd[c] <= now) _s.EndCourier(c, cs.ShiftEnd[c]);
            // No pickup after shift end: a courier whose shift is over and who has not picked up an order yet
            // never will; the order goes back to couriers on shift instead of waiting for one gone home (its
            // picked-up orders it still delivers). Only behind a plan can this happen: in time, a plan's pickups
            // are never after the shift's end.
            if (cs.State[c] == CourierState.Ended && now > cs.ShiftEnd[c] && cs.RouteLength(c) > 0)
                ReleaseUnpicked(c, now, PlanChangeReason.CourierOffline, onlyBeyondHead: false, slip: 0);
        }

        for (int i = 0; i < _s.PendingCount; i++) sink.OnPlanChange(in _s.PendingChanges[i]);
        _s.PendingCount = 0;
        _s.RetireFinished(now);
        _s.RetireEnded(now);

        _planner.Plan(now, previousTick, ref sink);
        CheckPromises(now, ref sink);
        return _commit.TakeCommitCount();
    }

    // ---------------------------------------------------------------- queries

    /// <summary>Status of an order; <see cref="OrderStatus.Unknown"/> for an id never placed, or finished longer
    /// ago than <see cref="DispatchOptions.FinishedOrderRetentionMinutes"/>.</summary>
    public OrderStatus GetOrderStatus(long orderId) =>
        _s.OrderIndex.TryGetValue(orderId, out int o) ? StatusOf(o) : OrderStatus.Unknown;

    /// <summary>Everything known of an order; false for an unknown id (never placed, or finished longer ago than
    /// <see cref="DispatchOptions.FinishedOrderRetentionMinutes"/>).</summary>
    public bool TryGetOrder(long orderId, out OrderView view)
    {
        if (!_s.OrderIndex.TryGetValue(orderId, out int o)) { view = default; return false; }
        if (o < 0)
        {
            var h = _s.History;
            int k = ~o;
            view = new OrderView(orderId, h.Status[k], h.CourierId[k], h.PlannedPickup[k], h.PlannedDrop[k], h.PickedAt[k], h.DroppedAt[k]);
            return true;
        }
        var os = _s.Orders;
        int c = os.Courier[o];
        view = new OrderView(orderId, os.Status[o], c >= 0 ? _s.Couriers.Id[c] : -1, os.PlannedPickup[o], os.PlannedDrop[o], os.PickedAt[o], os.DroppedAt[o]);
        return true;
    }

    /// <summary>Everything known of a courier; false for an unknown id.</summary>
    public bool TryGetCourier(long courierId, out CourierView view)
    {
        if (!_s.CourierIndex.TryGetValue(courierId, out int c)) { view = default; return false; }
        var cs = _s.Couriers;
        view = new CourierView(courierId, cs.State[c] == CourierState.OnShift, cs.X[c], cs.Y[c], cs.FreeAt[c], cs.ShiftStart[c], cs.ShiftEnd[c], cs.UnfinishedStops(c), cs.Delivered[c]);
        return true;
    }

    /// <summary>
    /// Copies the couriers on shift or scheduled for a later shift (not ended) into <paramref name="destination"/>, in
    /// slot order; returns how many there are (only the first <c>destination.Length</c> are copied: call again with a
    /// larger span when the result exceeds it). For a host that moves idle couriers between engines (the cluster's
    /// hand-off between regions) and checks which engine holds whom; scans the couriers, allocates nothing, and is
    /// never called by the tick.
    /// </summary>
    public int CopyActiveCouriers(Span<ActiveCourier> destination)
    {
        var cs = _s.Couriers;
        int n = 0;
        for (int c = 0; c < cs.Count; c++)
        {
            var st = cs.State[c];
            if (st == CourierState.Ended) continue;
            if (n < destination.Length)
                destination[n] = new ActiveCourier(cs.Id[c], st == CourierState.OnShift, cs.X[c], cs.Y[c], cs.ShiftStart[c], cs.ShiftEnd[c], cs.Capacity[c], cs.UnfinishedStops(c));
            n++;
        }
        return n;
    }

    /// <summary>
    /// Copies the sites into <paramref name="destination"/> in the order they were added; returns how many there are (only
    /// the first <c>destination.Length</c> are copied). Allocates nothing; never called by the tick.
    /// </summary>
    public int CopySites(Span<SiteInfo> destination)
    {
        var ss = _s.Sites;
        for (int i = 0; i < ss.Count && i < destination.Length; i++) destination[i] = new SiteInfo(ss.Id[i], ss.X[i], ss.Y[i]);
        return ss.Count;
    }

    /// <summary>
    /// Copies the orders still in work (open, assigned or picked up) into <paramref name="destination"/>, in slot order;
    /// returns how many there are (only the first <c>destination.Length</c> are copied: call again with a larger span when
    /// the result exceeds it). For a host that shows the engine's picture without having heard every event (the live
    /// view after a restart); scans the order slots, allocates nothing, and is never called by the tick.
    /// </summary>
    public int CopyOpenOrders(Span<OpenOrder> destination)
    {
        var os = _s.Orders;
        int n = 0;
        for (int o = 0; o < os.Count; o++)
        {
            var st = os.Status[o];
            if (os.Id[o] < 0 || st is not (OrderStatus.Open or OrderStatus.Assigned or OrderStatus.PickedUp)) continue;
            if (n < destination.Length)
            {
                int c = os.Courier[o];
                destination[n] = new OpenOrder(os.Id[o], _s.Sites.Id[os.Site[o]], os.DropX[o], os.DropY[o], os.PlacedAt[o], os.ReadyAt[o], st,
                    c >= 0 ? _s.Couriers.Id[c] : -1, st == OrderStatus.PickedUp ? os.PickedAt[o] : double.NaN);
            }
            n++;
        }
        return n;
    }

    /// <summary>
    /// Copies a courier's committed, unfinished stops into <paramref name="destination"/>, in order; returns how many
    /// were copied (at most its length). A stop already confirmed is never among them, even where the route keeps it
    /// behind one still to do (the second order of a bundle picked up while the first's food is not ready): a device
    /// reading the route would otherwise confirm it again.
    /// </summary>
    public int CopyRoute(long courierId, Span<PlannedStop> destination)
    {
        int c = CourierOf(courierId);
        var route = _s.Couriers.Route(c);
        var os = _s.Orders;
        int n = 0;
        for (int i = 0; i < route.Length && n < destination.Length; i++)
        {
            ref RouteStop r = ref route[i];
            if (r.Done) continue;
            int o = r.Order;
            destination[n++] = new PlannedStop(r.Kind, os.Id[o], r.Kind == StopKind.Pickup ? _s.Sites.Id[os.Site[o]] : -1,
                r.X, r.Y, r.Departure, r.Arrival, r.ServiceAt, r.Leave);
        }
        return n;
    }

    // ---------------------------------------------------------------- internals

    /// <summary>
    /// Releases a courier's assigned, not-yet-picked-up orders back to open: all of them, or (when
    /// <paramref name="onlyBeyondHead"/>, after a re-plan) those whose re-planned pickup is now after the courier's
    /// shift end, and those beyond the stop it is heading to whose pickup slipped by more than <paramref name="slip"/>
    /// against the snapshot taken before the re-plan.
    /// </summary>
    private void ReleaseUnpicked(int c, double now, PlanChangeReason reason, bool onlyBeyondHead, double slip)
    {
        var cs = _s.Couriers;
        var os = _s.Orders;
        // Walk backwards: removing stops shifts later ones down.
        for (int i = cs.RouteLength(c) - 1; i >= 0; i--)
        {
            var route = cs.Route(c);
            if (i >= route.Length) continue;
            ref RouteStop r = ref route[i];
            int o = r.Order;
            if (r.Kind != StopKind.Pickup || os.Status[o] != OrderStatus.Assigned) continue;
            // No pickup after shift end: a re-plan that puts one there (a kitchen's delay, traffic, a courier behind)
            // has made a plan that cannot stand, the stop it is heading to included. Kept, the order would wait for
            // the tick after the shift's end to be released (Tick), minutes later, with the courier's time spent on
            // it; released now, it is planned again at once with what every courier on shift can do.
            if (onlyBeyondHead && !(r.ServiceAt > cs.ShiftEnd[c]))
            {
                if (i < RouteTiming.GroupEnd(route, 0)) continue; // the stop it is heading to, with its bundle
                if (!(r.ServiceAt - PickupBefore(o) > slip)) continue;
            }
            _commit.RemoveFromRoute(c, o, now);
            os.Courier[o] = -1;
            os.PlannedPickup[o] = double.NaN; os.PlannedDrop[o] = double.NaN;
            _s.SetStatus(o, OrderStatus.Open);
            _s.ReleasedFrom[o] = cs.Id[c];
            _s.ReleaseReason[o] = reason;
            NotePlanReason(o, reason);
            _s.QueueChange(new PlanChange(PlanChangeKind.Released, os.Id[o], cs.Id[c], now, reason));
        }
        SyncPlanned(c);
    }

    // Planned pickup and drop-off of each order on a route before a re-plan, to report what moved.
    private int[] _snapOrders = [];
    private double[] _snapPickup = [], _snapDrop = [];
    private int _snapCount;

    private void SnapshotDrops(int c)
    {
        var route = _s.Couriers.Route(c);
        if (_snapOrders.Length < route.Length) { _snapOrders = new int[route.Length * 2]; _snapPickup = new double[route.Length * 2]; _snapDrop = new double[route.Length * 2]; }
        _snapCount = 0;
        for (int i = 0; i < route.Length; i++)
        {
            if (route[i].Kind != StopKind.Dropoff) continue;
            int o = route[i].Order;
            _snapOrders[_snapCount] = o;
            _snapPickup[_snapCount] = _s.Orders.PlannedPickup[o];
            _snapDrop[_snapCount] = _s.Orders.PlannedDrop[o];
            _snapCount++;
        }
    }

    private double PickupBefore(int o)
    {
        for (int i = 0; i < _snapCount; i++) if (_snapOrders[i] == o) return _snapPickup[i];
        return _s.Orders.PlannedPickup[o];
    }

    private void ReportEtaChanges(int c, double now, PlanChangeReason reason)
    {
        var os = _s.Orders;
        for (int i = 0; i < _snapCount; i++)
        {
            int o = _snapOrders[i];
            if (os.Courier[o] != c || (os.Status[o] != OrderStatus.Assigned && os.Status[o] != OrderStatus.PickedUp)) continue;
            double before = _s.ReportedDrop[o], after = os.PlannedDrop[o];
            if (after > _snapDrop[i]) NotePlanReason(o, reason); // what a re-quote of this order will name
            // A drop-off that now misses its DeliverBy (general profile) is reported however small the move.
            bool breaksWindow = _s.OrderWindows && after > os.DeliverBy[o] && !(before > os.DeliverBy[o]);
            if (Math.Abs(after - before) >= Options.EtaChangeThresholdMinutes || breaksWindow)
            {
                _s.QueueChange(new PlanChange(PlanChangeKind.EtaChanged, os.Id[o], _s.Couriers.Id[c], now, reason, before, after));
                _s.ReportedDrop[o] = after;
            }
        }
    }

    /// <summary>Re-plans one courier from a reported position (<paramref name="x"/>, <paramref name="y"/>) at
    /// <paramref name="now"/>: its head stop is reached at <paramref name="arrival"/> (not before now nor the leg's
    /// departure), the leg restarts from the report, the rest of the route follows; then release slipped pickups, report.</summary>
    private void Replan(int c, double now, double x, double y, double arrival, PlanChangeReason reason)
    {
        SnapshotDrops(c);
        var cs = _s.Couriers;
        var route = cs.Route(c);
        ref RouteStop h = ref route[0];
        double departure = Math.Max(now, h.Departure);
        arrival = Math.Max(arrival, departure);
        if (h.Kind == StopKind.Dropoff) RouteTiming.ServeDropoff(ref h, departure, arrival, _s.Times);
        else RouteTiming.ServeGroup(route, 0, RouteTiming.GroupEnd(route, 0), departure, arrival, _s.Times);
        _commit.RetimeAfter(route, 0);
        // The leg model restarts at the report; its base is what the travel rule says of the leg from there, so a
        // later change of travel times scales the rest of it (RouteCommitter.RetimeForTravelChange).
        cs.LegFromX[c] = x; cs.LegFromY[c] = y;
        cs.LegStart[c] = departure;
        cs.LegBase[c] = _travel.Minutes(x, y, h.X, h.Y);
        FinishReplan(c, now, reason);
    }

    /// <summary>After a re-time: re-sequence (general profile), copy times to the orders, release pickups
    /// that slipped too far, report ETA moves.</summary>
    private void FinishReplan(int c, double now, PlanChangeReason reason)
    {
        if (_planner.Resequence(c))
            _s.QueueChange(new PlanChange(PlanChangeKind.Resequenced, -1, _s.Couriers.Id[c], now, reason));
        SyncPlanned(c);
        ReleaseUnpicked(c, now, reason, onlyBeyondHead: true, slip: Options.ReassignSlipMinutes);
        ReportEtaChanges(c, now, reason);
    }

    private void RetimeFromPickup(int c, int o, double now)
    {
        var cs = _s.Couriers;
        var route = cs.Route(c);
        for (int i = 0; i < route.Length; i++)
        {
            if (route[i].Order != o || route[i].Kind != StopKind.Pickup) continue;
            // The pickup group this stop belongs to keeps its arrival; the pickup cannot be earlier than now.
            int g = RouteTiming.GroupStart(route, i);
            RouteTiming.ServeGroup(route, g, RouteTiming.GroupEnd(route, i), route[g].Departure, route[g].Arrival, _s.Times, notBefore: now);
            _commit.RetimeAfter(route, g);
            break;
        }
        SyncPlanned(c);
    }

    /// <summary>Copies a courier's route times into the orders' planned fields and moves its free point to the route's end.</summary>
    private void SyncPlanned(int c)
    {
        var cs = _s.Couriers;
        var os = _s.Orders;
        var route = cs.Route(c);
        for (int i = 0; i < route.Length; i++)
        {
            ref RouteStop r = ref route[i];
            if (r.Kind == StopKind.Pickup) os.PlannedPickup[r.Order] = r.ServiceAt; else os.PlannedDrop[r.Order] = r.ServiceAt;
        }
        if (route.Length > 0)
        {
            ref RouteStop last = ref route[route.Length - 1];
            cs.X[c] = last.X; cs.Y[c] = last.Y; cs.FreeAt[c] = last.Leave;
        }
    }

    private void MarkStopDone(int c, int o, StopKind kind)
    {
        var cs = _s.Couriers;
        int b = c * cs.MaxStops;
        for (int i = cs.RouteHead[c]; i < cs.RouteEnd[c]; i++)
        {
            ref RouteStop r = ref cs.Stops[b + i];
            // Not a stop already done: a re-made order may meet its first trip's stop still on this route.
            if (r.Order == o && r.Kind == kind && !r.Done) { r.Done = true; break; }
        }
        bool advanced = false;
        double fromX = 0, fromY = 0;
        while (cs.RouteHead[c] < cs.RouteEnd[c] && cs.Stops[b + cs.RouteHead[c]].Done)
        {
            fromX = cs.Stops[b + cs.RouteHead[c]].X;
            fromY = cs.Stops[b + cs.RouteHead[c]].Y;
            cs.RouteHead[c]++;
            advanced = true;
        }
        // The next leg starts where the last finished stop was.
        if (advanced && cs.RouteHead[c] < cs.RouteEnd[c]) cs.SetLeg(c, fromX, fromY);
        if (cs.RouteHead[c] == cs.RouteEnd[c]) { cs.RouteHead[c] = 0; cs.RouteEnd[c] = 0; }
    }

    private void RememberCapacities()
    {
        _orderCapacity = _s.Orders.Capacity;
        _courierCapacity = _s.Couriers.Id.Length;
        _siteCapacity = _s.Sites.Id.Length;
    }

    /// <summary>After a store doubled, grows everything sized from it, here at the edge and never in the tick.</summary>
    private void GrowIfNeeded()
    {
        if (_s.Orders.Capacity == _orderCapacity && _s.Couriers.Id.Length == _courierCapacity && _s.Sites.Id.Length == _siteCapacity) return;
        _s.OpenOrders.EnsureCapacity(_s.Orders.Capacity);
        _s.Ended.EnsureCapacity(_s.Couriers.Id.Length);
        if (_s.EndedQueued.Length < _s.Couriers.Id.Length) Array.Resize(ref _s.EndedQueued, _s.Couriers.Id.Length);
        _s.Provisional.EnsureCapacity(_s.Orders.Capacity, _s.Couriers.Id.Length);
        _s.Finished.EnsureCapacity(_s.History.Capacity);
        if (_s.LowerBoundDrop.Length < _s.Orders.Capacity)
        {
            int old = _s.ReleasedFrom.Length;
            Array.Resize(ref _s.LowerBoundDrop, _s.Orders.Capacity);
            Array.Resize(ref _s.PromisedDrop, _s.Orders.Capacity);
            Array.Resize(ref _s.ReleasedFrom, _s.Orders.Capacity);
            Array.Resize(ref _s.ReleaseReason, _s.Orders.Capacity);
            Array.Resize(ref _s.ReportedDrop, _s.Orders.Capacity);
            Array.Fill(_s.ReleasedFrom, -1, old, _s.ReleasedFrom.Length - old);
        }
        _planner.EnsureCapacity();
        _promises.EnsureCapacity(_s.Orders.Capacity, _s.Sites.Id.Length);
        RememberCapacities();
    }

    /// <summary>Where the order is (see <see cref="EngineState.OrderIndex"/>): a hot slot, or <c>~h</c> for a finished
    /// one in the history, which callers read through <see cref="StatusOf"/> before they touch the hot store.</summary>
    private int OrderOf(long orderId)
    {
        if (!_s.OrderIndex.TryGetValue(orderId, out int o)) Throw(DispatchError.UnknownId, $"unknown order {orderId}");
        return o;
    }

    /// <summary>Status of the order at <paramref name="o"/> as <see cref="OrderOf"/> gives it: hot slot or history entry.</summary>
    private OrderStatus StatusOf(int o) => o >= 0 ? _s.Orders.Status[o] : _s.History.Status[~o];

    private int CourierOf(long courierId)
    {
        if (!_s.CourierIndex.TryGetValue(courierId, out int c)) Throw(DispatchError.UnknownId, $"unknown courier {courierId}");
        return c;
    }

    /// <summary>Latest time the engine accepts, in minutes (about 1,900 years): beyond it sums of times lose
    /// the precision the planner needs, so such a value is a caller's unit mistake, not a plan.</summary>
    public const double MaxTime = 1e9;

    /// <summary>Largest coordinate magnitude the engine accepts (metres: far beyond any city; degrees: any).</summary>
    public const double MaxCoordinate = 1e9;

    private static void RequireTime(double t, string what, long id = long.MinValue)
    {
        if (!double.IsFinite(t) || t < 0 || t > MaxTime)
            Throw(DispatchError.InvalidValue, id == long.MinValue ? $"{what} must be a finite time in [0, {MaxTime}] minutes, got {t}" : $"{what} {id} must be a finite time in [0, {MaxTime}] minutes, got {t}");
    }

    /// <summary>An order's time windows and service minutes: each a time (or +inf for "none" where allowed),
    /// latest bounds not before earliest ones. Names the order and the field at fault.</summary>
    private static void RequireWindows(in OrderRequest order)
    {
        long id = order.OrderId;
        static bool TimeOrNone(double t) => double.IsPositiveInfinity(t) || (double.IsFinite(t) && t >= 0 && t <= MaxTime);
        if (!TimeOrNone(order.PickupBy))
            Throw(DispatchError.InvalidValue, $"order {id}: PickupBy {order.PickupBy} must be a time in [0, {MaxTime}] minutes or +infinity for none");
        if (!double.IsFinite(order.DeliverAfter) || order.DeliverAfter < 0 || order.DeliverAfter > MaxTime)
            Throw(DispatchError.InvalidValue, $"order {id}: DeliverAfter {order.DeliverAfter} must be a time in [0, {MaxTime}] minutes (0 for none)");
        if (!TimeOrNone(order.DeliverBy))
            Throw(DispatchError.InvalidValue, $"order {id}: DeliverBy {order.DeliverBy} must be a time in [0, {MaxTime}] minutes or +infinity for none");
        if (order.PickupBy < order.ReadyAt)
            Throw(DispatchError.InvalidValue, $"order {id}: PickupBy {order.PickupBy} is before its ReadyAt {order.ReadyAt}");
        if (order.DeliverBy < order.ReadyAt)
            Throw(DispatchError.InvalidValue, $"order {id}: DeliverBy {order.DeliverBy} is before its ReadyAt {order.ReadyAt}");
        if (order.DeliverBy < order.DeliverAfter)
            Throw(DispatchError.InvalidValue, $"order {id}: DeliverBy {order.DeliverBy} is before its DeliverAfter {order.DeliverAfter}");
        if (order.PickupServiceMinutes is double p && !(double.IsFinite(p) && p >= 0 && p <= MaxTime))
            Throw(DispatchError.InvalidValue, $"order {id}: PickupServiceMinutes {p} must be a finite number of minutes in [0, {MaxTime}]");
        if (order.DropoffServiceMinutes is double d && !(double.IsFinite(d) && d >= 0 && d <= MaxTime))
            Throw(DispatchError.InvalidValue, $"order {id}: DropoffServiceMinutes {d} must be a finite number of minutes in [0, {MaxTime}]");
    }

    /// <summary>Ids are 0 or more: replies use -1 for "none" (no courier, no site), so a -1 id would be ambiguous.</summary>
    private static void RequireId(long id, string what)
    {
        if (id < 0) Throw(DispatchError.InvalidValue, $"{what} id {id} must be 0 or more (-1 means \"none\" in replies)");
    }

    private static void RequireCoordinate(double x, double y, string what, long id)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y) || Math.Abs(x) > MaxCoordinate || Math.Abs(y) > MaxCoordinate)
            Throw(DispatchError.InvalidValue, $"{what} {id} has a coordinate that is not finite or beyond {MaxCoordinate} ({x}, {y})");
    }

    [DoesNotReturn]
    private static void Throw(DispatchError error, string message) => throw new DispatchException(error, message);
}
