using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Protocol;
using Dispatch.Travel;

namespace Dispatch.Hosting;

/// <summary>
/// The command router: the one place a decoded protocol <see cref="Command"/> becomes
/// <see cref="DispatchEngine{TTravel}"/> calls (<see cref="Route"/>: events, traffic, ticks and queries).
/// The server (live commands and journal replay) and the bench's replay of recorded traces both go
/// through it, so they apply a command the same way. The engine's travel rule is
/// <typeparamref name="TTravel"/> under the traffic picture (<see cref="TrafficPictureTravel{TBase}"/>,
/// which is <see cref="Dispatch.Traffic.TrafficAdjusted{TBase}"/> once any traffic was added); traffic
/// commands go to the picture, and every tick first brings the picture to its time and, when that
/// changed travel times, tells the engine (<see cref="DispatchEngine{TTravel}.TravelTimesChanged"/>)
/// before planning. Session commands (Hello, Ping, Subscribe) and server figures (GetMetrics) are the
/// host's: they never reach the engine.
/// </summary>
public sealed class EngineDriver<TTravel> : IEngineDriver where TTravel : struct, ITravelTime
{
    private readonly DispatchEngine<TrafficPictureTravel<TTravel>> _engine;

    /// <param name="travel">The base travel rule.</param>
    /// <param name="options">Engine options.</param>
    /// <param name="traffic">The traffic picture the host owns; null for a fresh one with the default grid.</param>
    /// <param name="confirmationToleranceMinutes">How far ahead of now a confirmation's time may be (<see cref="ConfirmationTolerance"/>): 0 on a manual clock.</param>
    public EngineDriver(TTravel travel, DispatchOptions options, TrafficPicture? traffic = null, double confirmationToleranceMinutes = 0)
    {
        Traffic = traffic ?? new TrafficPicture(TrafficSettings.Default);
        _engine = new DispatchEngine<TrafficPictureTravel<TTravel>>(new TrafficPictureTravel<TTravel>(travel, Traffic), options);
        ConfirmationToleranceMinutes = confirmationToleranceMinutes;
    }

    private EngineDriver(DispatchEngine<TrafficPictureTravel<TTravel>> engine, TrafficPicture traffic, double confirmationToleranceMinutes)
    {
        _engine = engine;
        Traffic = traffic;
        ConfirmationToleranceMinutes = confirmationToleranceMinutes;
    }

    /// <summary>An engine rebuilt from a snapshot over <paramref name="traffic"/> (restored first; throws InvalidDataException on a file the engine refuses).</summary>
    public static EngineDriver<TTravel> Load(Stream stream, TTravel travel, DispatchOptions options, TrafficPicture traffic, double confirmationToleranceMinutes = 0) =>
        new(DispatchEngine<TrafficPictureTravel<TTravel>>.LoadSnapshot(stream, new TrafficPictureTravel<TTravel>(travel, traffic), options), traffic,
            confirmationToleranceMinutes);

    /// <summary>How far ahead of now a confirmation's time may be, in engine minutes (<see cref="ConfirmationTolerance"/>):
    /// a ConfirmPickup / ConfirmDropoff whose <c>at</c> is later than now plus this is refused.</summary>
    public double ConfirmationToleranceMinutes { get; }

    /// <inheritdoc />
    public TrafficPicture Traffic { get; }

    /// <summary>
    /// The engine, for reads no command answers without a reply frame (a courier's planned route, an
    /// order's status, a quote): the scenario replay's couriers read their plan here. Every change goes
    /// through <see cref="Route"/>, so it is validated and applied as the server applies it.
    /// </summary>
    public DispatchEngine<TrafficPictureTravel<TTravel>> Engine => _engine;

    /// <inheritdoc />
    public void SaveSnapshot(Stream stream) => _engine.SaveSnapshot(stream);

    /// <inheritdoc />
    public EngineCounts Counts => _engine.Counts;

    /// <inheritdoc />
    public int CopyActiveCouriers(Span<ActiveCourier> destination) => _engine.CopyActiveCouriers(destination);

    /// <inheritdoc />
    public int CopySites(Span<SiteInfo> destination) => _engine.CopySites(destination);

    /// <inheritdoc />
    public int CopyOpenOrders(Span<OpenOrder> destination) => _engine.CopyOpenOrders(destination);

    /// <inheritdoc />
    public int CopyRoute(long courierId, Span<PlannedStop> destination) => _engine.CopyRoute(courierId, destination);

    /// <inheritdoc />
    public double LastTick => _engine.LastTick;

    /// <inheritdoc />
    public long CourierOfOrder(long orderId) => _engine.TryGetOrder(orderId, out var o) ? o.CourierId : -1;

    /// <inheritdoc />
    public bool TryGetPromise(long orderId, out double promisedDropoff)
    {
        bool known = _engine.TryGetPromise(orderId, out var p);
        promisedDropoff = known ? p.Promised : double.NaN;
        return known;
    }

    /// <inheritdoc />
    public int Route<TSink>(in Command c, double now, ref TSink sink, FrameBuffer? reply) where TSink : struct, IAssignmentSink
    {
        switch (c.Type)
        {
            // ---- events: change state, answered by the host with an Ack once journaled
            case MessageType.AddSite: _engine.AddSite(c.Id, c.X, c.Y); return 0;
            case MessageType.PlaceOrder: _engine.PlaceOrder(ToOrderRequest(c), now); return 0;
            case MessageType.ChangeReadyTime: _engine.ChangeReadyTime(c.Id, c.T1, now); return 0;
            case MessageType.CancelOrder: _engine.CancelOrder(c.Id, now); return 0;
            case MessageType.CourierOnShift: _engine.CourierOnShift(new CourierShift(c.Id, c.X, c.Y, c.T1, c.T2, c.Count), now); return 0;
            case MessageType.CourierOffShift: _engine.CourierOffShift(c.Id, now); return 0;
            case MessageType.UpdateCourierPosition: _engine.UpdateCourierPosition(c.Id, c.X, c.Y, now); return 0;
            // A confirmation carries the courier's time `at`; it may not be later than now (plus the wall-clock slack).
            case MessageType.ConfirmPickup: _engine.ConfirmPickup(c.Id, c.T1, now + ConfirmationToleranceMinutes); return 0;
            case MessageType.ConfirmDropoff: _engine.ConfirmDropoff(c.Id, c.T1, now + ConfirmationToleranceMinutes); return 0;
            // Failed and wrong deliveries report what happened at `at`, like confirmations (same slack); nil (NaN) fields are "not given".
            case MessageType.DeliveryFailed:
                _engine.DeliveryFailed(c.Id, c.T1, FailureReason(c), now + ConfirmationToleranceMinutes, Given(c.T2), c.Flag); return 0;
            case MessageType.WrongOrderDelivered: _engine.WrongOrderDelivered(c.Id, c.T1, now + ConfirmationToleranceMinutes, Given(c.T2)); return 0;
            case MessageType.OrderChanged: _engine.ChangeOrder(c.Id, Given(c.T1), c.Count == 0 ? null : c.Count, now); return 0;
            case MessageType.AddCongestionZone or MessageType.AddClosure or MessageType.SetCitywideFactor: Traffic.Apply(c); return 0;
            // ---- the tick runs at the command's own time
            case MessageType.Tick: Tick(c.T1, ref sink); return 0;
            // ---- queries: read state, answered here
            case MessageType.GetOrder:
                if (_engine.TryGetOrder(c.Id, out var o))
                    ReplyCodec.WriteOrderInfo(Reply(reply, c), c.RequestId, o.OrderId, (int)o.Status, o.CourierId, o.PlannedPickup, o.PlannedDropoff, o.PickedUpAt, o.DeliveredAt);
                else
                    ReplyCodec.WriteOrderInfo(Reply(reply, c), c.RequestId, c.Id, (int)WireOrderStatus.Unknown, -1, double.NaN, double.NaN, double.NaN, double.NaN);
                return 1;
            case MessageType.GetCourier:
                if (_engine.TryGetCourier(c.Id, out var v))
                    ReplyCodec.WriteCourierInfo(Reply(reply, c), c.RequestId, v.CourierId, true, v.OnShift, v.FreeX, v.FreeY, v.FreeAt, v.ShiftStart, v.ShiftEnd, v.PlannedStops, v.Delivered);
                else
                    ReplyCodec.WriteCourierInfo(Reply(reply, c), c.RequestId, c.Id, false, false, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0, 0);
                return 1;
            case MessageType.GetCounts:
                var k = _engine.Counts;
                ReplyCodec.WriteCounts(Reply(reply, c), c.RequestId, k.Known, k.Open, k.Assigned, k.PickedUp, k.Delivered, k.Cancelled, k.Couriers,
                    _engine.CouriersOnShift, k.Returned);
                return 1;
            case MessageType.QuoteDropoff:
                // Reads the traffic picture as of the last tick; computed before anything is written, so a refusal writes nothing.
                double quote = _engine.QuoteDropoff(c.Id, c.X, c.Y, c.T1, now);
                ReplyCodec.WriteQuote(Reply(reply, c), c.RequestId, quote);
                return 1;
            default:
                throw new ArgumentException($"{c.Type} is not an engine command", nameof(c));
        }
    }

    /// <inheritdoc />
    public void Apply(in Command command, double now)
    {
        if (!command.IsEngineEvent || command.Type == MessageType.Tick) throw new ArgumentException($"{command.Type} is not an engine event", nameof(command));
        var discard = default(DiscardSink);
        Route(command, now, ref discard, null);
    }

    /// <inheritdoc />
    public void ReplayTick(double now)
    {
        var discard = default(DiscardSink);
        Tick(now, ref discard);
    }

    private void Tick<TSink>(double now, ref TSink sink) where TSink : struct, IAssignmentSink
    {
        UpdateTraffic(now);
        _engine.Tick(now, ref sink);
    }

    /// <summary>
    /// Brings the traffic picture to the tick's time and re-times committed routes when it changed. Only
    /// for a time the tick will accept (the engine refuses the rest and nothing may change then). Every
    /// tick does this first; a host that reports what it measured at <paramref name="now"/> just before
    /// the tick (the scenario replay's courier positions) calls it before those reports, so the engine
    /// judges them under the traffic of <paramref name="now"/>, and the tick then finds nothing new.
    /// </summary>
    public void UpdateTraffic(double now)
    {
        if (!(now >= 0 && now <= DispatchEngine<TrafficPictureTravel<TTravel>>.MaxTime) || now < _engine.LastTick) return;
        if (Traffic.Update(now)) _engine.TravelTimesChanged(now);
    }

    private static double? Given(double t) => double.IsNaN(t) ? null : t;

    /// <summary>The wire's reason number as the engine's enum; a number beyond a byte is refused here (a cast would wrap it
    /// onto a defined reason), the rest by the engine.</summary>
    private static DeliveryFailureReason FailureReason(in Command c) =>
        (uint)c.Count <= byte.MaxValue ? (DeliveryFailureReason)c.Count
            : throw new DispatchException(DispatchError.InvalidValue, $"order {c.Id}: failure reason {c.Count} is not a DeliveryFailureReason");

    private static FrameBuffer Reply(FrameBuffer? reply, in Command c) =>
        reply ?? throw new ArgumentException($"{c.Type} is a query: it needs a buffer for its reply", nameof(reply));

    /// <summary>PlaceOrder's fields as the engine takes them; terms the client left out keep the engine's defaults.</summary>
    private static OrderRequest ToOrderRequest(in Command c)
    {
        var order = new OrderRequest(c.Id, c.Other, c.X, c.Y, c.T1, c.T2, c.Count);
        if (c.Terms is not { } t) return order;
        return order with
        {
            PickupBy = t.PickupBy,
            DeliverAfter = t.DeliverAfter,
            DeliverBy = t.DeliverBy,
            PickupServiceMinutes = double.IsNaN(t.PickupServiceMinutes) ? null : t.PickupServiceMinutes,
            DropoffServiceMinutes = double.IsNaN(t.DropoffServiceMinutes) ? null : t.DropoffServiceMinutes,
        };
    }
}
