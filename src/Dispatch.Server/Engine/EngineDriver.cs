using Dispatch.Client.Protocol;
using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Travel;

namespace Dispatch.Server.Engine;

/// <summary>Maps protocol commands onto <see cref="DispatchEngine{TTravel}"/> calls.</summary>
internal sealed class EngineDriver<TTravel> : IEngineDriver where TTravel : struct, ITravelTime
{
    private readonly DispatchEngine<TTravel> _engine;

    public EngineDriver(TTravel travel, DispatchOptions options) => _engine = new DispatchEngine<TTravel>(travel, options);

    private EngineDriver(DispatchEngine<TTravel> engine) => _engine = engine;

    /// <summary>An engine rebuilt from a snapshot (throws InvalidDataException on a file the engine refuses).</summary>
    public static EngineDriver<TTravel> Load(Stream stream, TTravel travel, DispatchOptions options) =>
        new(DispatchEngine<TTravel>.LoadSnapshot(stream, travel, options));

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
            default: throw new ArgumentException($"{c.Type} is not an engine event", nameof(c));
        }
    }

    public void Tick(double now, PushFanout fanout)
    {
        var sink = new PushSink(fanout);
        _engine.Tick(now, ref sink);
    }

    public void ReplayTick(double now)
    {
        var sink = default(DiscardSink);
        _engine.Tick(now, ref sink);
    }

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
