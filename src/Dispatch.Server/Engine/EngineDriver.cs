using Dispatch.Protocol;
using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Travel;

namespace Dispatch.Server.Engine;

/// <summary>
/// Maps protocol commands onto <see cref="DispatchEngine{TTravel}"/> calls. The engine's travel rule is
/// <typeparamref name="TTravel"/> under the traffic picture (<see cref="ServerTravel{TBase}"/>, which is
/// <see cref="Dispatch.Traffic.TrafficAdjusted{TBase}"/> once any traffic was added); traffic commands
/// go to the picture, and every tick first brings the picture to its time and, when that changed travel
/// times, tells the engine (<see cref="DispatchEngine{TTravel}.TravelTimesChanged"/>) before planning.
/// </summary>
internal sealed class EngineDriver<TTravel> : IEngineDriver where TTravel : struct, ITravelTime
{
    private readonly DispatchEngine<ServerTravel<TTravel>> _engine;

    /// <param name="travel">The base travel rule.</param>
    /// <param name="options">Engine options.</param>
    /// <param name="traffic">The traffic picture the host owns; null for a fresh one with the default grid.</param>
    public EngineDriver(TTravel travel, DispatchOptions options, TrafficPicture? traffic = null)
    {
        Traffic = traffic ?? new TrafficPicture(TrafficSettings.Default);
        _engine = new DispatchEngine<ServerTravel<TTravel>>(new ServerTravel<TTravel>(travel, Traffic), options);
    }

    private EngineDriver(DispatchEngine<ServerTravel<TTravel>> engine, TrafficPicture traffic)
    {
        _engine = engine;
        Traffic = traffic;
    }

    /// <summary>An engine rebuilt from a snapshot over <paramref name="traffic"/> (restored first; throws InvalidDataException on a file the engine refuses).</summary>
    public static EngineDriver<TTravel> Load(Stream stream, TTravel travel, DispatchOptions options, TrafficPicture traffic) =>
        new(DispatchEngine<ServerTravel<TTravel>>.LoadSnapshot(stream, new ServerTravel<TTravel>(travel, traffic), options), traffic);

    public TrafficPicture Traffic { get; }

    public void SaveSnapshot(Stream stream) => _engine.SaveSnapshot(stream);

    public EngineCounts Counts => _engine.Counts;

    public double LastTick => _engine.LastTick;

    public void Apply(in Command c, double now)
    {
        switch (c.Type)
        {
            case MessageType.AddSite: _engine.AddSite(c.Id, c.X, c.Y); break;
            case MessageType.PlaceOrder: _engine.PlaceOrder(new OrderRequest(c.Id, c.Other, c.X, c.Y, c.T1, c.T2, c.Count), now); break;
            case MessageType.ChangeReadyTime: _engine.ChangeReadyTime(c.Id, c.T1, now); break;
            case MessageType.CancelOrder: _engine.CancelOrder(c.Id, now); break;
            case MessageType.CourierOnShift: _engine.CourierOnShift(new CourierShift(c.Id, c.X, c.Y, c.T1, c.T2, c.Count), now); break;
            case MessageType.CourierOffShift: _engine.CourierOffShift(c.Id, now); break;
            case MessageType.UpdateCourierPosition: _engine.UpdateCourierPosition(c.Id, c.X, c.Y, now); break;
            case MessageType.ConfirmPickup: _engine.ConfirmPickup(c.Id, c.T1); break;
            case MessageType.ConfirmDropoff: _engine.ConfirmDropoff(c.Id, c.T1); break;
            case MessageType.AddCongestionZone or MessageType.AddClosure or MessageType.SetCitywideFactor: Traffic.Apply(c); break;
            default: throw new ArgumentException($"{c.Type} is not an engine event", nameof(c));
        }
    }

    public void Tick(double now, PushFanout fanout)
    {
        UpdateTraffic(now);
        var sink = new PushSink(fanout);
        _engine.Tick(now, ref sink);
    }

    public void ReplayTick(double now)
    {
        UpdateTraffic(now);
        var sink = default(DiscardSink);
        _engine.Tick(now, ref sink);
    }

    /// <summary>
    /// Brings the traffic picture to the tick's time and re-times committed routes when it changed. Only
    /// for a time the tick will accept (the engine refuses the rest and nothing may change then).
    /// </summary>
    private void UpdateTraffic(double now)
    {
        if (!(now >= 0 && now <= DispatchEngine<ServerTravel<TTravel>>.MaxTime) || now < _engine.LastTick) return;
        if (Traffic.Update(now)) _engine.TravelTimesChanged(now);
    }

    public double QuoteDropoff(long siteId, double dropX, double dropY, double readyAt, double now) =>
        _engine.QuoteDropoff(siteId, dropX, dropY, readyAt, now);

    public bool TryGetOrder(long orderId, out OrderView view) => _engine.TryGetOrder(orderId, out view);

    public bool TryGetCourier(long courierId, out CourierView view) => _engine.TryGetCourier(courierId, out view);

    /// <summary>Forwards decisions to the fan-out; a struct so the tick is specialised for it.</summary>
    private readonly struct PushSink(PushFanout fanout) : IAssignmentSink
    {
        public void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) => fanout.Assignment(assignment, stops);

        public void OnPlanChange(in PlanChange change) => fanout.PlanChange(change);
    }

    private struct DiscardSink : IAssignmentSink
    {
        public readonly void OnAssignment(in AssignmentInfo assignment, ReadOnlySpan<PlannedStop> stops) { }

        public readonly void OnPlanChange(in PlanChange change) { }
    }
}
